package org.sbgan.runtime.files;

import java.nio.file.Path;

/** Holds a {@link FolderLock} on {@code args[0]} (lock file {@code args[1]} if given) until killed; prints "locked" once it holds it. */
public final class LockHolder {
    public static void main(String[] args) throws Exception {
        FolderLock lock = args.length > 1 ? FolderLock.acquire(Path.of(args[0]), "lock holder", args[1])
                : FolderLock.acquire(Path.of(args[0]), "lock holder");
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(600_000);
        lock.close();
    }
}
