package org.sbgan.spark;

import java.io.Serializable;

/**
 * A job as the driver checked it, sent to every task: the options, the bundle's identity (a task refuses a bundle that
 * changed since), and the Hadoop configuration to reach the bundle and the output with.
 */
record Plan(JobOptions options, String identity, HadoopFiles.Conf conf) implements Serializable {}
