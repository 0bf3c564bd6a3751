package org.sbgan.graphs;

import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.testing.GradCheck;

class SmokeTest {
    @Test
    void mulAdd() {
        GradCheck.of("muladd").input("a", 3, 4).input("b", 4).check((g, x) -> g.add(g.mul(x.get(0), x.get(1)), x.get(1)));
    }

    @Test
    void conv() {
        GradCheck.of("conv").input("x", 2, 3, 7, 6).input("w", 4, 3, 3, 3).input("b", 4)
                .check((g, x) -> g.conv(x.get(0), x.get(1), x.get(2), ConvSpec.of(1, 1)));
    }

    @Test
    void convStride2() {
        GradCheck.of("conv2").input("x", 2, 3, 7, 6).input("w", 4, 3, 3, 3)
                .check((g, x) -> g.conv(x.get(0), x.get(1), null, ConvSpec.of(2, 1)));
    }

    @Test
    void avgPool() {
        GradCheck.of("avg").input("x", 2, 3, 7, 6).check((g, x) -> g.avgPool(x.get(0), PoolSpec.of(3, 2, 1, false)));
    }

    @Test
    void gumbel() {
        GradCheck.of("gst").input("p", 2, 4, 3, 3).input("n", 2, 4, 3, 3)
                .check((g, x) -> g.gumbelSoftmaxST(g.softmax(x.get(0), 1), x.get(1), 1f));
    }
}
