package org.sbgan.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** K/N slices: contiguous, covering the range once, exact for any long total. */
class ShardTest {
    @Test
    void parsesKOfNCountedFromZero() {
        assertEquals(new Shard(2, 4), Shard.parse("2/4"));
        assertEquals(new Shard(0, 4), Shard.parse(" 0 / 4 "));
        assertEquals(Shard.ALL, Shard.parse("0/1"));
        assertTrue(Shard.ALL.all());
        assertEquals("3/4", Shard.parse("3/4").toString());
    }

    @Test
    void badShardsAreOneLineErrors() {
        assertEquals("shard '2of3' is not K/N (process K of N, K from 0, e.g. 0/4)",
                assertThrows(IllegalArgumentException.class, () -> Shard.parse("2of3")).getMessage());
        assertEquals("shard '' is not K/N (process K of N, K from 0, e.g. 0/4)",
                assertThrows(IllegalArgumentException.class, () -> Shard.parse("")).getMessage());
        assertEquals("shard 3/3: K must be 0..2 (counted from 0)", assertThrows(IllegalArgumentException.class, () -> Shard.parse("3/3")).getMessage());
        assertEquals("shard -1/3: K must be 0..2 (counted from 0)", assertThrows(IllegalArgumentException.class, () -> Shard.parse("-1/3")).getMessage());
        assertEquals("shard 0/0: N must be at least 1", assertThrows(IllegalArgumentException.class, () -> Shard.parse("0/0")).getMessage());
        assertEquals("shard '1/99999999999': K and N must be below 2^31",
                assertThrows(IllegalArgumentException.class, () -> Shard.parse("1/99999999999")).getMessage());
    }

    @Test
    void slicesAreContiguousAndCoverTheRangeOnce() {
        for (long total : new long[] {0, 1, 2, 10, 11, 1000}) {
            for (int n = 1; n <= 12; n++) {
                long next = 0;
                for (int k = 0; k < n; k++) {
                    Shard s = new Shard(k, n);
                    assertEquals(next, s.from(total), s + " of " + total);
                    assertEquals(total * k / n, s.from(total));
                    assertTrue(s.to(total) >= s.from(total));
                    assertTrue(s.to(total) - s.from(total) <= total / n + 1, "balanced");
                    next = s.to(total);
                }
                assertEquals(total, next, n + " shards of " + total);
            }
        }
        assertEquals(3, new Shard(1, 3).from(10));
        assertEquals(6, new Shard(1, 3).to(10));
        assertEquals(0, new Shard(0, 3).to(2), "more shards than scenes: some are empty");
    }

    @Test
    void hugeTotalsDoNotOverflow() {
        for (long total : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 62, 3_000_000_000_000_000_007L}) {
            for (int n : new int[] {3, 7, 1000, Integer.MAX_VALUE}) {
                for (int k : new int[] {0, 1, n / 2, n - 1}) {
                    Shard s = new Shard(k, n);
                    BigInteger t = BigInteger.valueOf(total), nn = BigInteger.valueOf(n);
                    assertEquals(t.multiply(BigInteger.valueOf(k)).divide(nn).longValueExact(), s.from(total), s + " of " + total);
                    assertEquals(t.multiply(BigInteger.valueOf(k + 1L)).divide(nn).longValueExact(), s.to(total), s + " of " + total);
                }
            }
        }
        assertEquals(Long.MAX_VALUE, new Shard(6, 7).to(Long.MAX_VALUE));
    }
}
