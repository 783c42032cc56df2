package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.cuda.runtime.LayoutPacking;
import dev.nabla.spi.Layout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Shared machinery of the emulation tests: the emulated device (started once per test class), uploads, downloads
 * and the generic element-wise check (random shapes, strided, permuted, broadcast and offset layouts, in-place
 * aliasing, launch grids smaller than the work, thread orders).
 */
abstract class EmulationTestBase {
    static EmuDevice dev;
    static String unavailable;
    static int cases;

    @BeforeAll
    static void startDevice() throws Exception {
        if (dev != null) {
            return;
        }
        try {
            dev = EmuDevice.start();
        } catch (IllegalStateException | IOException e) { // no g++/libffi, or no sources (a packed test jar)
            unavailable = e.toString();
        }
    }

    @AfterAll
    static void stopDevice() throws IOException {
        if (cases > 0) {
            System.out.println("CUDA emulation: " + cases + " kernel cases checked so far in this JVM");
        }
        if (dev != null) {
            dev.close();
            dev = null;
        }
    }

    @BeforeEach
    void needDevice() {
        Assumptions.assumeTrue(dev != null, () -> "CUDA kernel emulation skipped: " + unavailable);
    }

    /** A device buffer with its dtype. */
    record DArr(int id, DType dtype, int length) {
        EmuDevice.Ptr ptr() {
            return new EmuDevice.Ptr(id, 0);
        }
    }

    static DArr upload(DType d, Object array) throws IOException {
        byte[] bytes = Host.toBytes(d, array);
        int id = dev.alloc(bytes.length);
        if (bytes.length > 0) {
            dev.write(id, 0, bytes);
        }
        return new DArr(id, d, Host.length(array));
    }

    static DArr alloc(DType d, int n) throws IOException {
        return new DArr(dev.alloc((long) n * d.byteSize()), d, n);
    }

    static Object download(DArr a) throws IOException {
        return Host.fromBytes(a.dtype(), dev.read(a.id(), 0, a.length() * a.dtype().byteSize()), true);
    }

    static void free(DArr... as) throws IOException {
        for (DArr a : as) {
            dev.free(a.id());
        }
    }

    static final int[][] CONFIGS = {{1, 32}, {2, 64}, {3, 128}, {5, 33}, {1, 1}, {4, 256}, {2, 96}};

    static int[] config(Random r) {
        return CONFIGS[r.nextInt(CONFIGS.length)];
    }

    static EmuDevice.LayoutArg arg(Layout l) {
        return new EmuDevice.LayoutArg(LayoutPacking.pack(l));
    }

    /** The kernel's layout arguments: the layouts as they are, or coalesced together (as a host would). */
    static EmuDevice.LayoutArg[] layoutArgs(Random r, Layout... ls) {
        boolean merge = r.nextBoolean() || ls[0].rank() > LayoutPacking.MAX_RANK;
        EmuDevice.LayoutArg[] out = new EmuDevice.LayoutArg[ls.length];
        if (merge) {
            int[][] packed = LayoutPacking.coalesceAndPack(ls);
            for (int i = 0; i < ls.length; i++) {
                out[i] = new EmuDevice.LayoutArg(packed[i]);
            }
        } else {
            for (int i = 0; i < ls.length; i++) {
                out[i] = arg(ls[i]);
            }
        }
        return out;
    }

    /** Builds a kernel's parameters from its operands: inputs, their layouts, out, out's layout, n. */
    interface Params {
        Object[] of(EmuDevice.Ptr[] in, EmuDevice.LayoutArg[] inLayouts, EmuDevice.Ptr out, EmuDevice.LayoutArg outLayout,
                    long n);
    }

    /** Launches one element-wise case given its operands (what the test varies: the host code under test). */
    interface Launcher {
        void launch(EmuDevice.Ptr[] in, Layout[] inLayouts, EmuDevice.Ptr out, Layout lo, long n) throws IOException;
    }

    /** Maps a KernelCall's arguments to the emulated device's and launches it. */
    static void launch(dev.nabla.cuda.kernels.KernelCall call, int order) throws IOException {
        Object[] args = call.args().clone();
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof int[] l) {
                args[i] = new EmuDevice.LayoutArg(l);
            }
        }
        dev.launch(call.kernel(), call.grid(), call.block(), order, args);
    }

    /**
     * One element-wise case: random inputs of {@code ins} over a random shape and layouts, out of {@code outType}
     * pre-filled with random garbage; checks every element of out's buffer (also those the kernel must not touch).
     * The kernel's parameters come from {@code params} with the layouts packed here (as they are, or merged).
     */
    static void elementwise(Random r, String kernel, DType[] ins, DType outType, Function<Object[], Object> ref,
                            long ulps, boolean nanBits, Params params, int[] shapeOrNull) throws IOException {
        elementwiseCase(r, kernel, ins, outType, ref, ulps, nanBits, (ptrs, ls, out, lo, n) -> {
            Layout[] all = java.util.Arrays.copyOf(ls, ls.length + 1);
            all[ls.length] = lo;
            EmuDevice.LayoutArg[] args = layoutArgs(r, all);
            int[] cfg = config(r);
            dev.launch(kernel, cfg[0], cfg[1], r.nextInt(3),
                    params.of(ptrs, java.util.Arrays.copyOf(args, ls.length), out, args[ls.length], n));
        }, shapeOrNull);
    }

    static void elementwiseCase(Random r, String what0, DType[] ins, DType outType, Function<Object[], Object> ref,
                                long ulps, boolean nanBits, Launcher launcher, int[] shapeOrNull) throws IOException {
        int[] shape = shapeOrNull != null ? shapeOrNull : Host.SHAPES[r.nextInt(Host.SHAPES.length)];
        int n = Host.numel(shape);
        boolean inPlace = ins.length > 0 && ins[0] == outType && r.nextInt(4) == 0;
        Layout[] ls = new Layout[ins.length];
        Object[] hostIn = new Object[ins.length];
        DArr[] dIn = new DArr[ins.length];
        Layout lo = Host.randomLayout(r, shape, false);
        Object outInit = Host.randomArray(outType, Host.span(lo), r, true);
        for (int k = 0; k < ins.length; k++) {
            if (k == 0 && inPlace) {
                ls[0] = lo;
                hostIn[0] = outInit;
                continue;
            }
            ls[k] = Host.randomLayout(r, shape, true);
            hostIn[k] = Host.randomArray(ins[k], Host.span(ls[k]), r, true);
            dIn[k] = upload(ins[k], hostIn[k]);
        }
        DArr dOut = upload(outType, outInit);
        if (inPlace) {
            dIn[0] = dOut;
        }
        EmuDevice.Ptr[] ptrs = new EmuDevice.Ptr[ins.length];
        for (int k = 0; k < ins.length; k++) {
            ptrs[k] = dIn[k].ptr();
        }
        String what = what0 + " shape " + java.util.Arrays.toString(shape) + " in " + java.util.Arrays.toString(ls)
                + " out " + lo + (inPlace ? " in place" : "");
        launcher.launch(ptrs, ls, dOut.ptr(), lo, n);
        Object expected = Host.copy(outInit);
        Object[] vals = new Object[ins.length];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < ins.length; k++) {
                vals[k] = Host.get(hostIn[k], Host.pos(ls[k], i));
            }
            Host.set(expected, Host.pos(lo, i), ref.apply(vals));
        }
        // in place: the reference read the inputs before writing (each element is read and written by one thread)
        Object actual = download(dOut);
        Host.assertElements(what, outType, expected, actual, ulps, nanBits);
        for (int k = 0; k < ins.length; k++) {
            if (dIn[k] != dOut) {
                free(dIn[k]);
            }
        }
        free(dOut);
        cases++;
    }

    static List<DType> list(DType... ds) {
        return new ArrayList<>(List.of(ds));
    }
}
