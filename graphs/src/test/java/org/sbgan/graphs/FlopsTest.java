package org.sbgan.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.Flops;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;

class FlopsTest {
    @Test
    void convAndMatmulCountMultiplyAddsTwice() {
        Graph g = new Graph("f");
        Value x = g.input("x", 8, 64, 64, 64), w = g.input("w", 32, 64, 3, 3);
        Value y = g.conv(x, w, null, ConvSpec.of(2, 1));
        assertEquals(2L * 8 * 32 * 32 * 32 * 64 * 9, Flops.of(g, List.of(y)));
        Value a = g.input("a", 5, 3, 7), b = g.input("b", 7, 4);
        assertEquals(2L * 5 * 3 * 4 * 7, Flops.of(g, List.of(g.matmul(a, b))));
        assertEquals(0L, Flops.of(g, List.of(g.reshape(a, 15, 7))));
    }

    @Test
    void trainingStepCountsBackwardAndIsInTheManifest() {
        StepBuilder sb = new StepBuilder("s");
        Graph g = sb.graph();
        Value x = sb.batch("x", 4, 8, 16, 16);
        Value w = sb.param("w", Tensor.zeros(8, 8, 3, 3));
        Value loss = g.meanAll(g.conv(x, w, null, ConvSpec.of(1, 1)));
        long forward = Flops.of(g, List.of(loss));
        Adam.update(sb, "G", Adam.Config.adam(0f, 0.99f), List.of(w), Gradients.of(loss, List.of(w)));
        sb.metric("loss", loss);
        long step = sb.build(null).manifest().flops();
        long convForward = 2L * 4 * 8 * 16 * 16 * 8 * 9;
        // forward + dW (same multiply-adds as the forward conv; dX is not needed) + elementwise work
        assertTrue(forward >= convForward && step >= forward + convForward, "forward " + forward + ", step " + step);
        assertTrue(step < 3 * convForward, "step " + step);
    }
}
