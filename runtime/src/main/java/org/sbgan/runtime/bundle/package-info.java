/**
 * The model bundle: the folder a training run leaves in {@code RUN/model/}, read and checked before any
 * network is loaded, so a broken bundle fails in one line naming the file at fault.
 */
package org.sbgan.runtime.bundle;
