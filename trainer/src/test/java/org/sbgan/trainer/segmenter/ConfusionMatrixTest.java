package org.sbgan.trainer.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** IoU, mean IoU and pixel accuracy against hand-counted examples. */
class ConfusionMatrixTest {
    @Test
    void iouIsIntersectionOverUnionAndAbsentClassesAreLeftOut() {
        // truth:     0 0 1 1 1 2
        // predicted: 0 1 1 1 0 2   (class 3 occurs in neither)
        ConfusionMatrix cm = new ConfusionMatrix(4).add(new int[] {0, 0, 1, 1, 1, 2}, new int[] {0, 1, 1, 1, 0, 2});
        assertEquals(1.0 / 3, cm.iou(0), 1e-12); // TP 1, FP 1 (a 1 predicted 0), FN 1
        assertEquals(2.0 / 4, cm.iou(1), 1e-12); // TP 2, FP 1, FN 1
        assertEquals(1.0, cm.iou(2), 1e-12);
        assertTrue(Double.isNaN(cm.iou(3)));
        assertEquals((1.0 / 3 + 0.5 + 1.0) / 3, cm.meanIou(), 1e-12);
        assertEquals(4.0 / 6, cm.pixelAccuracy(), 1e-12);
        assertEquals(6, cm.total());
        assertEquals(1, cm.count(1, 0));
    }

    @Test
    void outOfRangeClassesAreRejected() {
        ConfusionMatrix cm = new ConfusionMatrix(2);
        assertThrows(IllegalArgumentException.class, () -> cm.add(new int[] {0, 2}, new int[] {0, 1}));
    }
}
