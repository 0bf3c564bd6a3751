package org.sbgan.runtime;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Error text fit for one line: every message sbgan prints is {@code error: <one line>}. */
public final class Messages {
    private Messages() {}

    /** {@code s} with its line breaks (and the blanks around them) turned into single spaces, trimmed; "" for null. */
    public static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * What went wrong with a file, without the file: the system's reason where it gave one ("No space left on
     * device"), else what the exception's type says ("permission denied", "no such file or folder", ...).
     */
    public static String why(FileSystemException f) {
        if (f.getReason() != null) return oneLine(f.getReason());
        if (f instanceof AccessDeniedException) return "permission denied";
        if (f instanceof NoSuchFileException) return "no such file or folder";
        if (f instanceof FileAlreadyExistsException) return "already exists";
        if (f instanceof NotDirectoryException) return "not a folder";
        if (f instanceof DirectoryNotEmptyException) return "folder not empty";
        return f.getClass().getSimpleName();
    }

    /** The exception's message on one line, or its type's name when it has none. */
    public static String oneLine(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
    }
}
