package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.cuda.runtime.LayoutPacking;
import dev.nabla.spi.Layout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulation itself (barriers, shared memory, shuffles, atomics, checks) and the host's layout packing. */
class EmulationSelfTest extends EmulationTestBase {

    @Test
    void barriersSharedMemoryAndShufflesBehaveAsOnAGpu() throws IOException {
        Random r = new Random(41);
        for (int block : new int[] {32, 64, 256, 1024}) {
            int n = 1 + r.nextInt(5000);
            int[] x = new int[n];
            long sum = 0;
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(1000);
                sum += x[i];
            }
            DArr dx = upload(DType.INT32, x), out = alloc(DType.INT32, 6);
            dev.launch("nabla_emutest_block_sum", 2, block, r.nextInt(3), dx.ptr(), out.ptr(), n);
            int[] got = (int[]) download(out);
            // the xor butterfly sums the first warp's 32 partials
            int warp0 = 0;
            for (int t = 0; t < 32; t++) {
                for (int i = t; i < n; i += block) {
                    warp0 += x[i];
                }
            }
            assertArrayEquals(new int[] {(int) sum, (int) sum, (int) sum, (int) sum, warp0, warp0}, got, "block " + block);
            free(dx, out);
        }
    }

    @Test
    void theCppLaunchHelperRunsAKernel() throws IOException {
        assertTrue(dev.selfTestCppLaunch(), "emu_launch(nabla_fill_i32, 3, 7, ...)");
    }

    @Test
    void atomicsCountEveryUpdate() throws IOException {
        DArr c = upload(DType.INT32, new int[1]);
        dev.launch("nabla_emutest_atomic_count", 3, 100, 2, c.ptr(), 12345L);
        assertArrayEquals(new int[] {12345}, (int[]) download(c));
        free(c);
    }

    @Test
    void aBarrierInDivergentCodeAndAWriteOutsideABufferAreReported() throws IOException {
        DArr o = alloc(DType.INT32, 32);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dev.launch("nabla_emutest_divergent_barrier", 1, 32, 0, o.ptr()));
        assertTrue(e.getMessage().contains("__syncthreads"), e.getMessage());
        // out of bounds: a fill over 9 elements of an 8-element buffer
        DArr small = alloc(DType.INT32, 8);
        IllegalStateException oob = assertThrows(IllegalStateException.class, () -> dev.launch("nabla_fill_i32", 1, 32, 0,
                small.ptr(), arg(Layout.contiguous(9)), 9L, 7));
        assertTrue(oob.getMessage().contains("outside buffer"), oob.getMessage());
        IllegalStateException unknown = assertThrows(IllegalStateException.class,
                () -> dev.launch("nabla_no_such_kernel", 1, 1, 0));
        assertTrue(unknown.getMessage().contains("no kernel"), unknown.getMessage());
        free(o, small);
    }

    @Test
    void layoutsPackAndCoalesce() {
        int[] p = LayoutPacking.pack(new dev.nabla.spi.Layout(new int[] {2, 3}, new int[] {3, 1}, 5));
        assertArrayEquals(new int[] {2, 5, 2, 3, 1, 1, 1, 1, 1, 1, 3, 1, 0, 0, 0, 0, 0, 0}, p);
        Layout[] c = LayoutPacking.coalesce(Layout.contiguous(2, 3, 4), new Layout(new int[] {2, 3, 4}, new int[] {0, 4, 1}, 1));
        assertEquals(new Layout(new int[] {2, 12}, new int[] {12, 1}, 0), c[0]);
        assertEquals(new Layout(new int[] {2, 12}, new int[] {0, 1}, 1), c[1]);
        Layout[] one = LayoutPacking.coalesce(new Layout(new int[] {1, 1}, new int[] {7, 9}, 3));
        assertEquals(0, one[0].rank());
        assertEquals(3, one[0].offset());
        assertEquals(9, LayoutPacking.coalesce(new Layout(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2},
                new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256}, 0))[0].rank());
        assertThrows(IllegalArgumentException.class, () -> LayoutPacking.coalesceAndPack(new Layout(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2},
                new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256}, 0)));
    }
}
