package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;

/** Small demonstrations of the machinery underneath the SB-GAN stages. */
@Prototype
@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = DemoFitCommand.class,
        description = "Demonstrations of the training machinery.")
public final class DemoCommand {}
