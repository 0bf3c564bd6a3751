/**
 * Writing generated scenes to disk: {@link org.sbgan.runtime.write.SceneWriter} (Cityscapes layout or plain
 * folders, one scene at a time, every file atomic) and {@link org.sbgan.runtime.write.ContactSheet}.
 */
package org.sbgan.runtime.write;
