package org.sbgan.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ops.Nn;

/** The benchmark on tiny shapes: every session runs, results agree, reports are complete. No timing is asserted. */
class ConvBenchTest {
    static final List<ConvBench.Case> TINY = List.of(
            new ConvBench.Case("s1", 2, 3, 4, 9, 8, 3, 1, 1, 1),
            new ConvBench.Case("s2", 2, 3, 4, 9, 8, 3, 2, 2, 1),
            new ConvBench.Case("s1x2", 1, 3, 2, 7, 9, 3, 1, 2, 1));

    @Test
    void everyFormulationRunsAndAgrees() throws OrtException {
        Nn.StridedDx dx = Nn.STRIDED_DX;
        Nn.WeightGrad dw = Nn.WEIGHT_GRAD;
        List<String> progress = new ArrayList<>();
        ConvBench.Report rep = ConvBench.run(new ConvBench.Options(1, 1, 2, false, false), TINY, progress::add);
        assertEquals(dx, Nn.STRIDED_DX, "selectors are restored");
        assertEquals(dw, Nn.WEIGHT_GRAD, "selectors are restored");
        assertEquals(3, rep.cases().size());
        for (ConvBench.CaseResult r : rep.cases()) {
            assertTrue(r.maxRelDiff() < 1e-4, r.shape().name() + ": results differ by " + r.maxRelDiff());
            assertEquals(2, r.dx().size());
            assertEquals(Nn.WeightGrad.values().length, r.dw().size());
            assertEquals(2 * Nn.WeightGrad.values().length, r.backward().size());
            String dxDefault = r.shape().strided() ? dx.name() : ConvBench.CONV_FLIPPED;
            assertEquals(ConvBench.combo(dxDefault, ConvBench.defaultWeightGrad(dw, r.shape())), r.defaultBackwardTiming().formulation());
            assertTrue(r.forwardStep().medianMs() > 0 && r.forwardPlain().medianMs() > 0);
            assertEquals(2 * r.forwardStep().flops(), r.backward().get(0).flops());
        }
        assertTrue(progress.size() >= 3);
        String table = ConvBench.table(rep);
        assertTrue(table.contains("<- Nn default") && table.contains("StepRunner/plain"), table);
        String json = ConvBench.json(rep);
        assertTrue(json.startsWith("{\"ort\":") && json.endsWith("]}"), json);
        assertEquals(count(json, '{'), count(json, '}'));
        assertEquals(count(json, '['), count(json, ']'));
    }

    @Test
    void flopsFollowTheOutputSize() {
        ConvBench.Case c = ConvBench.defaultCases().get(1);
        assertEquals(32, c.ho());
        assertEquals(32, c.wo());
        assertEquals(2.0 * 8 * 64 * 64 * 9 * 32 * 32, c.forwardFlops());
    }

    private static long count(String s, char ch) {
        return s.chars().filter(x -> x == ch).count();
    }
}
