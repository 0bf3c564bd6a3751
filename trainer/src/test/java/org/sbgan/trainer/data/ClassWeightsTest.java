package org.sbgan.trainer.data;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sbgan.runtime.labels.LabelSpaces;

class ClassWeightsTest {
    @Test
    void givenWeightsNameClassesAndTheOthersWeighOne() throws Exception {
        ClassWeights w = ClassWeights.parse("human=3, Vehicle=1.5");
        assertEquals("human=3.0,vehicle=1.5", w.id());
        assertEquals(w, ClassWeights.parse(w.id()), "id() reads back");
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 3, 1.5f}, w.of(null, LabelSpaces.cityscapesCategories()));
        assertNull(ClassWeights.parse("none").of(null, LabelSpaces.cityscapesCategories()), "equal weights need no vector");
        assertSame(ClassWeights.BALANCED, ClassWeights.parse("Balanced"));
    }

    @Test
    void balancedWeightsCountOnlyLabelledPixels() throws Exception {
        // class 0: 6 pixels, class 1: 2; the 4 unlabelled pixels count for neither
        int u = Sample.UNLABELLED;
        Sample s = new Sample("s", 3, 4, new int[] {0, 0, 0, 0, 0, 0, 1, 1, u, u, u, u}, null);
        SampleSource one = SampleSource.of("one sample", new Sample[] {s});
        // frequencies 0.75 and 0.25, median 0.5: weights 2/3 and 2
        assertArrayEquals(new float[] {2f / 3, 2f, 1f}, ClassWeights.medianFrequency(one, 3), 1e-6f);
    }

    @Test
    void badSpecificationsAreOneLineErrors() {
        for (String bad : new String[] {"human", "human=x", "human=-1", "human=NaN", "human=2,human=3", "=2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse(bad), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> ClassWeights.parse("people=2").of(null, LabelSpaces.cityscapesCategories()));
        assertTrue(e.getMessage().contains("no class 'people'") && e.getMessage().contains("cityscapes-8"), e.getMessage());
    }

    @Test
    void configFilesRecordTheParsedFormAndReadTheEarlierUpperCaseNames() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("\"human=3.0\"", json.writeValueAsString(ClassWeights.parse("human=3")));
        assertSame(ClassWeights.NONE, json.readValue("\"NONE\"", ClassWeights.class));
        assertSame(ClassWeights.BALANCED, json.readValue("\"BALANCED\"", ClassWeights.class));
    }
}
