package dev.nabla.cuda.emu;

import dev.nabla.cuda.memory.DeviceMemory;
import dev.nabla.cuda.runtime.DeviceAddress;
import dev.nabla.cuda.runtime.DeviceDriver;
import dev.nabla.cuda.runtime.DeviceErrors;
import dev.nabla.cuda.runtime.KernelArgs;
import dev.nabla.cuda.runtime.LaunchConfig;
import dev.nabla.cuda.runtime.StagedTransfers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link DeviceDriver} of the kernels' CPU emulation ({@link EmuDevice}): a memory block is an emulated buffer
 * (its address is the buffer id), a {@link DeviceAddress} is (buffer id, byte offset), and the "stream" is
 * synchronous: every copy, memset and launch has run when its call returns, so {@link #synchronize()} has nothing to
 * wait for. Staging goes through small heap slots, so large transfers cross in several chunks as on a GPU.
 *
 * <p>Every access is checked against the buffer's size on the Java side (the emulator's reads and writes are not),
 * so a host-side address or length bug fails here with a message instead of corrupting memory. Device thread only,
 * like any driver.
 */
public final class EmuDriver implements DeviceDriver {
    /** The emulated device's memory size, as reported to the allocator. */
    static final long TOTAL_BYTES = 4L << 30;
    static final int MULTIPROCESSORS = 2;
    static final int THREADS_PER_MULTIPROCESSOR = 1024;
    static final int STAGING_SLOTS = 2;
    static final int STAGING_BYTES = 16 << 10;

    private final EmuDevice dev;
    private final int order;
    private final Map<Long, Long> sizes = new HashMap<>();
    private long allocated;
    private final ByteBuffer[] slots = new ByteBuffer[STAGING_SLOTS];
    private final DeviceAddress errorRecord;
    private boolean closed;

    /**
     * A driver over {@code dev}, which it closes with itself; {@code order} is the thread order of every launch
     * (see {@link EmuDevice#launch}).
     */
    public EmuDriver(EmuDevice dev, int order) {
        this.dev = dev;
        this.order = order;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = ByteBuffer.allocate(STAGING_BYTES).order(ByteOrder.nativeOrder());
        }
        errorRecord = new DeviceAddress(alloc(40), 0);
        memset8(errorRecord, (byte) 0, 40);
    }

    private long alloc(long bytes) {
        try {
            long id = dev.alloc(bytes);
            sizes.put(id, bytes);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks that {@code [at, at + bytes)} lies in a live buffer; answers the buffer id. */
    private int check(DeviceAddress at, long bytes, String what) {
        Long size = sizes.get(at.block());
        if (size == null) {
            throw new IllegalStateException(what + ": no emulated buffer " + at.block() + " (freed, or never allocated)");
        }
        if (bytes < 0 || at.offset() + bytes > size) {
            throw new IllegalStateException(what + ": bytes [" + at.offset() + ", " + (at.offset() + bytes)
                    + ") out of emulated buffer " + at.block() + " of " + size + " bytes");
        }
        return (int) at.block();
    }

    private void write(DeviceAddress at, byte[] data, String what) {
        int id = check(at, data.length, what);
        try {
            dev.write(id, at.offset(), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] read(DeviceAddress at, long bytes, String what) {
        int id = check(at, bytes, what);
        try {
            return dev.read(id, at.offset(), Math.toIntExact(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public DeviceMemory memory() {
        return new DeviceMemory() {
            @Override
            public Long allocate(long bytes) {
                if (allocated + bytes > TOTAL_BYTES) {
                    return null;
                }
                allocated += bytes;
                return alloc(bytes);
            }

            @Override
            public void free(long address) {
                Long size = sizes.remove(address);
                if (size == null || address == errorRecord.block()) {
                    throw new IllegalStateException("free: emulated buffer " + address + " was not allocated here");
                }
                allocated -= size;
                try {
                    dev.free((int) address);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public long freeBytes() {
                return TOTAL_BYTES - allocated;
            }

            @Override
            public long totalBytes() {
                return TOTAL_BYTES;
            }
        };
    }

    @Override
    public StagedTransfers.Engine<DeviceAddress> staging() {
        return new StagedTransfers.Engine<>() {
            @Override
            public int slots() {
                return slots.length;
            }

            @Override
            public ByteBuffer slot(int i) {
                return slots[i];
            }

            @Override
            public void awaitSlot(int i) {
                slots[i].clear(); // synchronous copies: a slot is free at once
            }

            @Override
            public void upload(int i, long bytes, DeviceAddress dst, long dstOffset) {
                byte[] data = new byte[Math.toIntExact(bytes)];
                slots[i].get(0, data);
                write(dst.plus(dstOffset), data, "upload");
            }

            @Override
            public void download(int i, long bytes, DeviceAddress src, long srcOffset) {
                slots[i].put(0, read(src.plus(srcOffset), bytes, "download"));
            }
        };
    }

    @Override
    public void copy(DeviceAddress dst, DeviceAddress src, long bytes) {
        if (dst.block() == src.block() && dst.offset() < src.offset() + bytes && src.offset() < dst.offset() + bytes) {
            throw new IllegalStateException("copy: overlapping ranges " + src + " and " + dst + " of " + bytes
                    + " bytes (cuMemcpy's result is undefined)");
        }
        check(dst, bytes, "copy");
        write(dst, read(src, bytes, "copy"), "copy");
    }

    @Override
    public void memset8(DeviceAddress at, byte value, long count) {
        byte[] b = new byte[Math.toIntExact(count)];
        java.util.Arrays.fill(b, value);
        write(at, b, "memset8");
    }

    @Override
    public void memset16(DeviceAddress at, short value, long count) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(count * 2)).order(ByteOrder.nativeOrder());
        for (long i = 0; i < count; i++) {
            b.putShort(value);
        }
        write(at, b.array(), "memset16");
    }

    @Override
    public void memset32(DeviceAddress at, int value, long count) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        for (long i = 0; i < count; i++) {
            b.putInt(value);
        }
        write(at, b.array(), "memset32");
    }

    @Override
    public void launch(String kernel, LaunchConfig config, KernelArgs args) {
        if (config.sharedBytes() != 0) {
            throw new UnsupportedOperationException(kernel + ": the emulation has no dynamic shared memory");
        }
        Object[] params = new Object[args.size()];
        for (int i = 0; i < params.length; i++) {
            Object v = args.value(i);
            params[i] = switch (args.kinds().get(i)) {
                case POINTER -> {
                    DeviceAddress a = (DeviceAddress) v;
                    yield new EmuDevice.Ptr(check(a, 0, kernel + " argument " + i), a.offset());
                }
                case LAYOUT -> new EmuDevice.LayoutArg((int[]) v);
                case INT32 -> ((int[]) v)[0];
                case INT64 -> ((long[]) v)[0];
                case FLOAT32 -> ((float[]) v)[0];
                case FLOAT64 -> ((double[]) v)[0];
            };
        }
        try {
            dev.launch(kernel, config.grid(), config.block(), order, params);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalStateException e) {
            if (e.getMessage().endsWith("no kernel named " + kernel)) { // as the GPU's KernelTable says it
                throw new IllegalArgumentException("no CUDA kernel named " + kernel + " on the emulated device", e);
            }
            throw e;
        }
    }

    @Override
    public void synchronize() {
        // every call has run when it returned
    }

    @Override
    public DeviceErrors.Record errorRecord() {
        return new DeviceErrors.Record() {
            @Override
            public long[] read() {
                ByteBuffer b = ByteBuffer.wrap(EmuDriver.this.read(errorRecord, 40, "error record"))
                        .order(ByteOrder.nativeOrder());
                return new long[]{b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong()};
            }

            @Override
            public void reset() {
                memset8(errorRecord, (byte) 0, 40);
            }
        };
    }

    @Override
    public DeviceAddress errorRecordAddress() {
        return errorRecord;
    }

    @Override
    public int multiprocessors() {
        return MULTIPROCESSORS;
    }

    @Override
    public int maxThreadsPerMultiprocessor() {
        return THREADS_PER_MULTIPROCESSOR;
    }

    @Override
    public Timer timer() {
        return new Timer() {
            private long start;
            private long stop;

            @Override
            public void start() {
                start = System.nanoTime();
            }

            @Override
            public void stop() {
                stop = System.nanoTime();
            }

            @Override
            public float elapsedMillis() {
                return (stop - start) / 1e6f;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Live emulated buffers besides the error record (tests of the allocator's bookkeeping). */
    public int liveBuffers() {
        return sizes.size() - 1;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            dev.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
