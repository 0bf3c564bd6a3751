package org.sbgan.spark;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sbgan.runtime.Device;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.bundle.ModelBundle;

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

    /** The generator of the plan's bundle: fetched once per JVM (a local copy for a remote URI) and checked against the driver's. */
    static SceneGenerator get(Plan plan) {
        return OPEN.computeIfAbsent(key(plan), k -> open(plan, fetch(plan)));
    }

    /** The same, on the driver, for the bundle it has already fetched, read and hashed. */
    static SceneGenerator get(Plan plan, ModelBundle bundle) {
        return OPEN.computeIfAbsent(key(plan), k -> open(plan, bundle));
    }

    private static String key(Plan plan) {
        return plan.identity() + "/" + plan.options().threads() + "/" + plan.options().batch();
    }

    private static ModelBundle fetch(Plan plan) {
        try {
            java.nio.file.Path dir = HadoopFiles.local(plan.options().model(), plan.conf().get());
            String id = HadoopFiles.identity(dir);
            if (!id.equals(plan.identity())) {
                throw new IllegalStateException(plan.options().model() + ": the bundle changed since the job started (" + id.substring(0, 12)
                        + " here, " + plan.identity().substring(0, 12) + " on the driver)");
            }
            return ModelBundle.read(dir);
        } catch (IOException e) {
            throw new IllegalStateException(plan.options().model() + ": cannot read the bundle (" + Messages.oneLine(e) + ")", e);
        }
    }

    private static SceneGenerator open(Plan plan, ModelBundle bundle) {
        try {
            return SceneGenerator.open(bundle, new SceneGenerator.Options(Device.CPU, plan.options().threads(), plan.options().batch(), 0));
        } catch (IOException | ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(plan.options().model() + ": cannot open the bundle (" + Messages.oneLine(e) + ")", e);
        }
    }
}
