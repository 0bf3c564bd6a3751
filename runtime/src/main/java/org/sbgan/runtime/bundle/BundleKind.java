package org.sbgan.runtime.bundle;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a model bundle holds: model.json's {@code "kind"}. */
public enum BundleKind {
    /** SB-GAN: a layout generator and an image generator (and both fused): labelled scenes. */
    SBGAN("sbgan"),
    /** The paper's RGB ProGAN baseline: one generator, z → image, no label maps. */
    PROGAN_RGB("progan-rgb");

    private final String id;

    BundleKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The kind of an id; a missing one (bundles older than the field) is {@link #SBGAN}. */
    public static BundleKind of(String id) {
        if (id == null) return SBGAN;
        for (BundleKind k : values()) if (k.id.equals(id)) return k;
        throw new IllegalArgumentException("unknown bundle kind \"" + id + "\" (known: "
                + Arrays.stream(values()).map(BundleKind::id).collect(Collectors.joining(", ")) + ")");
    }
}
