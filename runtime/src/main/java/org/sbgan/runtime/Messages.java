package org.sbgan.runtime;

/** Error text fit for one line: every message sbgan prints is {@code error: <one line>}. */
public final class Messages {
    private Messages() {}

    /** {@code s} with its line breaks (and the blanks around them) turned into single spaces, trimmed; "" for null. */
    public static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The exception's message on one line, or its type's name when it has none. */
    public static String oneLine(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
    }
}
