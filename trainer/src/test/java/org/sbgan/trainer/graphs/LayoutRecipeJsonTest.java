package org.sbgan.trainer.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.models.LayoutRecipe;
import org.sbgan.graphs.models.Preset;

/** The layout recipe as manifest.json and model.json record it. */
class LayoutRecipeJsonTest {
    @Test
    void roundTripsEveryOption() throws Exception {
        for (LayoutRecipe r : new LayoutRecipe[] {LayoutRecipe.RELEASED, LayoutRecipe.TEXTBOOK, Preset.CPU_LAYOUT_RECIPE,
                LayoutRecipe.RELEASED.withEntropyWeight(0.25f).withFadeBlend(true)}) {
            String json = new ObjectMapper().writeValueAsString(GraphSet.layoutRecipeJson(r));
            assertEquals(r, GraphSet.layoutRecipe(new ObjectMapper().readTree(json)), json);
        }
        assertEquals("{\"minibatch_stddev\":true,\"pixelnorm_sqrt\":false,\"fade_blend\":false,\"entropy_weight\":0.0,\"ema_beta\":0.999}",
                new ObjectMapper().writeValueAsString(GraphSet.layoutRecipeJson(Preset.CPU_LAYOUT_RECIPE)));
    }

    @Test
    void aManifestWithoutARecipeHoldsTheReleasedGraphs() throws Exception {
        assertEquals(LayoutRecipe.RELEASED, GraphSet.layoutRecipe(new ObjectMapper().readTree("{\"preset\":\"tiny\"}").get("layout_recipe")));
    }
}
