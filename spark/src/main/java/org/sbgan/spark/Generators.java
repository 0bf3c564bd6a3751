package org.sbgan.spark;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sbgan.runtime.Device;
import org.sbgan.runtime.SceneGenerator;

/**
 * The scene generators of one executor JVM: a bundle is fetched and its sessions opened once, then shared by every task
 * the JVM runs (SceneGenerator is thread-safe), and closed when the JVM exits.
 */
final class Generators {
    private static final Map<String, SceneGenerator> OPEN = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.values().forEach(g -> {
            try {
                g.close();
            } catch (Exception ignored) {
                // exiting
            }
        })));
    }

    private Generators() {}

    /** The generator of the bundle at {@code uri}, which must be the one the driver checked ({@code identity}). */
    static SceneGenerator get(Plan plan) {
        String key = plan.identity() + "/" + plan.options().threads() + "/" + plan.options().batch();
        return OPEN.computeIfAbsent(key, k -> {
            try {
                java.nio.file.Path dir = HadoopFiles.local(plan.options().model(), plan.conf().get());
                String id = HadoopFiles.identity(dir);
                if (!id.equals(plan.identity())) {
                    throw new IllegalStateException(plan.options().model() + ": the bundle changed since the job started (" + id.substring(0, 12)
                            + " here, " + plan.identity().substring(0, 12) + " on the driver)");
                }
                return SceneGenerator.open(dir, new SceneGenerator.Options(Device.CPU, plan.options().threads(), plan.options().batch(), 0));
            } catch (IOException | ai.onnxruntime.OrtException e) {
                throw new IllegalStateException(plan.options().model() + ": cannot open the bundle (" + org.sbgan.runtime.Messages.oneLine(e) + ")", e);
            }
        });
    }
}
