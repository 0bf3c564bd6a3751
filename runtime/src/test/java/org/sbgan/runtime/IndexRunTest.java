package org.sbgan.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class IndexRunTest {
    @Test
    void groupsConsecutiveIndices() {
        assertEquals(List.of(new IndexRun(3, 3), new IndexRun(8, 1), new IndexRun(10, 2)), IndexRun.of(List.of(3L, 4L, 5L, 8L, 10L, 11L)));
        assertEquals(List.of(), IndexRun.of(List.of()));
        assertEquals(12, IndexRun.of(List.of(10L, 11L)).get(0).end());
    }

    @Test
    void runsOfAcceptedIndicesInARange() {
        // accepted: 0..9 except the multiples of 4 → 1..3, 5..7, 9
        assertEquals(List.of(new IndexRun(1, 3), new IndexRun(5, 3), new IndexRun(9, 1)), IndexRun.where(0, 10, i -> i % 4 != 0));
        assertEquals(List.of(new IndexRun(5, 5)), IndexRun.where(5, 10, i -> true));
        assertEquals(List.of(), IndexRun.where(5, 10, i -> false));
        assertEquals(List.of(), IndexRun.where(5, 5, i -> true));
    }

    @Test
    void rejectsEmptyOrNegativeRuns() {
        assertThrows(IllegalArgumentException.class, () -> new IndexRun(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> new IndexRun(0, 0));
    }
}
