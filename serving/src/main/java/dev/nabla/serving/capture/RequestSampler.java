package dev.nabla.serving.capture;

import java.nio.charset.StandardCharsets;

/**
 * Decides which requests are captured from a hash of the request id, so that one id is always in or always out of
 * the sample (feedback for a request that was sampled out is known to be so without a database look-up), and so that
 * every server with the same seed and rate picks the same requests.
 */
final class RequestSampler {
    private final double rate;
    private final long seed;

    RequestSampler(double rate, long seed) {
        this.rate = rate;
        this.seed = seed;
    }

    boolean keeps(String requestId) {
        if (rate >= 1) {
            return true;
        }
        if (rate <= 0) {
            return false;
        }
        return unit(hash(seed, requestId)) < rate;
    }

    /** FNV-1a over the id's UTF-8 bytes, started from the seed and finished with a mixer so that close ids spread. */
    static long hash(long seed, String requestId) {
        long h = 0xcbf29ce484222325L ^ mix(seed);
        for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The SplitMix64 finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The top 53 bits as a double in [0, 1). */
    private static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }
}
