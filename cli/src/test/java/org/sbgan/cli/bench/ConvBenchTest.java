package org.sbgan.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ops.ConvGradients;
import org.sbgan.graphs.ops.Nn;

/** The benchmark on tiny shapes: every session runs, results agree, reports are complete. No timing is asserted. */
class ConvBenchTest {
    static final List<ConvBench.Case> TINY = List.of(
            new ConvBench.Case("s1", 2, 3, 4, 9, 8, 3, 1, 1, 1),
            new ConvBench.Case("s2", 2, 3, 4, 9, 8, 3, 2, 2, 1),
            new ConvBench.Case("s1x2", 1, 3, 2, 7, 9, 3, 1, 2, 1));

    @Test
    void everyFormulationRunsAndAgrees() throws Exception {
        List<String> progress = new ArrayList<>();
        ConvBench.Report rep = ConvBench.run(new ConvBench.Options(1, 1, 2, false, false), TINY, progress::add);
        assertEquals(3, rep.cases().size());
        for (ConvBench.CaseResult r : rep.cases()) {
            assertTrue(r.maxRelDiff() < 1e-4, r.shape().name() + ": results differ by " + r.maxRelDiff());
            assertEquals(2, r.dx().size());
            assertEquals(Nn.WeightGrad.values().length, r.dw().size());
            assertEquals(2 * Nn.WeightGrad.values().length, r.backward().size());
            String dxDefault = r.shape().strided() ? ConvGradients.MEASURED.stridedDx().name() : ConvBench.defaultStride1Dx(r.shape());
            assertEquals(ConvBench.combo(dxDefault, ConvBench.defaultWeightGrad(r.shape())), r.defaultBackwardTiming().formulation());
            assertTrue(r.forwardStep().medianMs() > 0 && r.forwardPlain().medianMs() > 0);
            assertTrue(r.forwardSelect().medianMs() > 0, "SELECT_GEMM is timed where its selection is small (its y is in maxRelDiff)");
            assertEquals("StepRunner, ORT Conv", r.defaultForward(), "these shapes are too thin for SELECT_GEMM");
            assertEquals(2 * r.forwardStep().flops(), r.backward().get(0).flops());
        }
        assertTrue(progress.size() >= 3);
        String table = ConvBench.table(rep);
        assertTrue(table.contains("<- Nn default") && table.contains("StepRunner/plain"), table);
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ConvBench.json(rep));
        assertEquals(rep.cases().size(), json.get("cases").size());
        com.fasterxml.jackson.databind.JsonNode first = json.get("cases").get(0);
        assertEquals(rep.cases().get(0).forwardRatio(), first.get("forward").get("ratio").asDouble(), 1e-12);
        assertEquals(rep.cases().get(0).dw().size(), first.get("dw").size());
        assertTrue(first.get("default").get("backward").get("gflops").asDouble() > 0);
    }

    @Test
    void selectGemmIsTimedOnlyWhereItsSelectionMatrixIsSmall() {
        assertTrue(ConvBench.defaultCases().get(0).selectionSize() > ConvBench.MAX_SELECTION, "64×64: 4096 × 9·4096");
        ConvBench.Case deep = ConvBench.sweepCases().stream().filter(c -> c.name().equals("c256_2x4")).findFirst().orElseThrow();
        assertTrue(deep.selectionSize() <= ConvBench.MAX_SELECTION);
        assertEquals(Nn.ConvForward.SELECT_GEMM, ConvBench.defaultForward(deep));
    }

    @Test
    void flopsFollowTheOutputSize() {
        ConvBench.Case c = ConvBench.defaultCases().get(1);
        assertEquals(32, c.ho());
        assertEquals(32, c.wo());
        assertEquals(2.0 * 8 * 64 * 64 * 9 * 32 * 32, c.forwardFlops());
    }
}
