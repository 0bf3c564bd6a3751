package org.sbgan.runtime;

/**
 * Runs a call into ONNX Runtime's native code on a thread of its own with a large stack. Loading ONNX Runtime's library
 * and creating a session over a trained generator use more native stack than a thread may have left: in a JVM with a
 * long class path (Spark's, 180 jars) the process died with a segmentation fault, not an exception, on the main thread
 * and on Spark's task threads alike. The stack is reserved address space, committed only as it is used.
 */
final class OnLargeStack {
    static final long STACK_BYTES = 256L << 20;

    private OnLargeStack() {}

    /** {@code body}'s result, or its exception, as if called here. */
    static <T, E extends Exception> T call(String threadName, Body<T, E> body) throws E, InterruptedException {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = body.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, threadName, STACK_BYTES);
        t.start();
        t.join();
        Throwable f = failure[0];
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error err) throw err;
        if (f != null) {
            @SuppressWarnings("unchecked")
            E e = (E) f;
            throw e;
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    /** A call that throws one checked exception type. */
    @FunctionalInterface
    interface Body<T, E extends Exception> {
        T call() throws E;
    }
}
