/**
 * Files a run or a command writes: {@link org.sbgan.runtime.files.AtomicFiles} (a file or a folder appears
 * complete or not at all, and a failure names the path) and {@link org.sbgan.runtime.files.FolderLock} (one
 * process per run or output folder).
 */
package org.sbgan.runtime.files;
