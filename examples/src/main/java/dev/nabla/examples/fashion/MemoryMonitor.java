package dev.nabla.examples.fashion;

import dev.nabla.train.EpochResult;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingListener;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The garbage collector's share of a training run, for the report: pause time and count over the run and per
 * epoch, the peak heap in use (garbage included) and the largest heap left after a collection (what the run
 * keeps: data, model, buffer pool), sampled at each epoch's end. Pauses are what the collectors' beans count, except G1's and ZGC's concurrent
 * cycles ("Concurrent" beans), which run beside the program instead of stopping it.
 */
final class MemoryMonitor implements TrainingListener {
    private final long startMillis = pauseMillis();
    private final long startCount = pauseCount();
    private final List<Double> epochPauseSeconds = new ArrayList<>();
    private long epochStartMillis;
    private long largestAfterCollection;

    MemoryMonitor() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pool.resetPeakUsage();
            }
        }
    }

    @Override
    public void onEpochStart(Trainer trainer, int epoch, int numBatches) {
        epochStartMillis = pauseMillis();
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        epochPauseSeconds.add((pauseMillis() - epochStartMillis) / 1e3);
        largestAfterCollection = Math.max(largestAfterCollection, heapAfterLastCollection());
    }

    /** Report fields; {@code runSeconds} is the run's wall time, for the pauses' share of it. */
    Map<String, Object> report(double runSeconds) {
        double pauses = (pauseMillis() - startMillis) / 1e3;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("gc_pause_seconds", pauses);
        r.put("gc_pauses", pauseCount() - startCount);
        r.put("gc_pause_share", runSeconds > 0 ? pauses / runSeconds : Double.NaN);
        r.put("gc_pause_seconds_per_epoch", epochPauseSeconds);
        r.put("heap_peak_mb", peakHeapBytes() / (1024.0 * 1024.0));
        r.put("heap_after_gc_mb", largestAfterCollection / (1024.0 * 1024.0));
        r.put("heap_max_mb", Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0));
        return r;
    }

    private static boolean isPause(GarbageCollectorMXBean gc) {
        return !gc.getName().contains("Concurrent");
    }

    private static long pauseMillis() {
        return overPauseCollectors(GarbageCollectorMXBean::getCollectionTime);
    }

    private static long pauseCount() {
        return overPauseCollectors(GarbageCollectorMXBean::getCollectionCount);
    }

    /** The sum of {@code value} over the collectors that pause the program (-1, "undefined", counts as 0). */
    private static long overPauseCollectors(ToLongFunction<GarbageCollectorMXBean> value) {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (isPause(gc)) {
                total += Math.max(0, value.applyAsLong(gc));
            }
        }
        return total;
    }

    /** The heap in use just after the most recent collection of each pool. */
    private static long heapAfterLastCollection() {
        return overHeapPools(MemoryPoolMXBean::getCollectionUsage);
    }

    /** The sum of the heap pools' peaks since the monitor started (an upper bound on the peak of their sum). */
    private static long peakHeapBytes() {
        return overHeapPools(MemoryPoolMXBean::getPeakUsage);
    }

    /** The bytes used in {@code usage} summed over the heap's pools (a pool without one counts 0). */
    private static long overHeapPools(Function<MemoryPoolMXBean, MemoryUsage> usage) {
        long total = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getType() == MemoryType.HEAP && pool.isValid() ? usage.apply(pool) : null;
            if (u != null) {
                total += u.getUsed();
            }
        }
        return total;
    }
}
