package org.sbgan.runtime;

import java.util.List;

/** Small class tables for tests. */
public final class TestClasses {
    private TestClasses() {}

    /** Three classes: road (id 7, grey), sky (id 23, blue), car (id 26, red). */
    public static Classes three() {
        return new Classes(List.of("road", "sky", "car"), new int[] {0x808080, 0x4682b4, 0xff0000}, new int[] {7, 23, 26});
    }
}
