package org.sbgan.cli;

import io.micronaut.configuration.picocli.MicronautFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Prototype;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.Shard;
import org.sbgan.trainer.data.ClassWeights;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code sbgan-cli} entry point. Exit codes are picocli's: 0 on success, 2 for a usage error, 1 when a
 * command fails; a failure prints one line ({@code error: ...}), or the stack trace with {@code --verbose}.
 * A usage error is one line and a hint ({@code try 'sbgan-cli train --help'}).
 * Commands run inside a Micronaut {@link ApplicationContext}: picocli creates them through a
 * {@link MicronautFactory}, so they are beans and may inject services and configuration.
 */
@Prototype
@Command(name = "sbgan-cli", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Semantic Bottleneck GAN on the JVM: graphs built in Java, trained and served by ONNX Runtime.",
        subcommands = {TrainCommand.class, GenerateCommand.class, ExportCommand.class, BuildGraphsCommand.class, SynthDataCommand.class, BenchCommand.class, DemoCommand.class, EvalCommand.class, SegmenterCommand.class, ReportCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace when a command fails.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code. */
    public static int execute(String... args) {
        // deduceEnvironment(false): no cloud/host probing at startup.
        try (ApplicationContext context = ApplicationContext.builder(Main.class).deduceEnvironment(false).start()) {
            CommandLine cl = new CommandLine(Main.class, new MicronautFactory(context))
                    .setCaseInsensitiveEnumValuesAllowed(true)
                    .registerConverter(ClassWeights.class, ClassWeights::parse)
                    .registerConverter(Shard.class, Main::shard);
            Main main = cl.getCommand();
            cl.setParameterExceptionHandler(Main::usageError);
            cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
                if (main.verbose) ex.printStackTrace(cmd.getErr());
                else cmd.getErr().println(cmd.getColorScheme().errorText("error: " + oneLine(ex)));
                return cmd.getExitCodeExceptionMapper() != null ? cmd.getExitCodeExceptionMapper().getExitCode(ex)
                        : cmd.getCommandSpec().exitCodeOnExecutionException();
            });
            return cl.execute(args);
        }
    }

    /** {@code --shard K/N}; a bad value is a usage error naming the option and saying what is wrong, in one line. */
    static Shard shard(String s) {
        try {
            return Shard.parse(s);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /**
     * A usage error as git and GNU tools print it: the error on one line (with picocli's "did you mean" for a
     * mistyped option or command), then where to read more; not the whole usage text.
     */
    static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getColorScheme().errorText("error: " + oneLine(ex)));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("try '" + cmd.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return cmd.getExitCodeExceptionMapper() != null ? cmd.getExitCodeExceptionMapper().getExitCode(ex)
                : cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The exception's message (or, for a mere wrapper, its cause's; or its type) on one line. A file-system error
     * reads {@code PATH: REASON} (Java's own message for, say, a permission problem is the bare path).
     */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) t = t.getCause();
        if (t instanceof FileSystemException f && f.getFile() != null && t.getMessage() != null && t.getMessage().equals(f.getFile())) {
            return f.getFile() + ": " + Messages.why(f);
        }
        return Messages.oneLine(t);
    }

    /** The version from the jar's manifest where there is one. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"sbgan-cli " + (v == null ? "0.1.0-SNAPSHOT" : v),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
