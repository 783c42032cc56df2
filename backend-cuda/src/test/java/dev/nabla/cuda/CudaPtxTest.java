package dev.nabla.cuda;

import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompileResult;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed PTX: present for every CUDA source, declared as ISA 8.0 for sm_75, compilable for sm_75 and sm_90 by
 * JCuda's bundled CUDA 12.0 PTX compiler (no GPU needed), and, where the nvcc that wrote it is on PATH, exactly what
 * {@code build-ptx.sh} makes from the sources.
 */
class CudaPtxTest {
    private static final Path CUDA_SOURCES = Path.of("src/main/cuda");
    private static final Path PTX_FOLDER = Path.of("src/main/resources/dev/nabla/cuda/ptx");
    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);

    private static String ptxCompilerProblem;

    @BeforeAll
    static void loadPtxCompiler() {
        try {
            JNvPTXCompiler.setExceptionsEnabled(false);
            int[] major = new int[1];
            int[] minor = new int[1];
            JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor);
        } catch (LinkageError e) {
            ptxCompilerProblem = "JCuda's PTX compiler natives do not load here: " + CudaProbe.nativeFailure(e);
        }
    }

    @Test
    void everySourceHasItsCommittedModule() throws IOException {
        List<String> sources = names(CUDA_SOURCES, ".cu");
        assertEquals(CudaKernels.MODULES, sources, "CudaKernels.MODULES vs src/main/cuda/*.cu");
        assertEquals(sources, names(PTX_FOLDER, ".ptx"), "src/main/cuda/*.cu vs committed PTX; run backend-cuda/build-ptx.sh");
    }

    @Test
    void modulesDeclareIsa80ForSm75AndExportNablaKernels() {
        for (String module : CudaKernels.MODULES) {
            byte[] ptx = CudaKernels.ptx(module);
            assertEquals(0, ptx[ptx.length - 1], "PTX for cuModuleLoadDataEx ends with NUL");
            String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
            assertTrue(text.contains("\n.version 8.0\n"), module + ": header must be .version 8.0 (build-ptx.sh rewrites it)");
            assertTrue(text.contains("\n.target sm_75\n"), module + ": target must be sm_75");
            List<String> entries = entries(text);
            assertTrue(!entries.isEmpty(), module + " has no kernel");
            for (String entry : entries) {
                assertTrue(entry.startsWith("nabla_"), module + ": kernel " + entry + " is not extern \"C\" nabla_*");
            }
        }
    }

    @Test
    void everyModuleCompilesForSm75AndSm90WithJCudasPtxCompiler() {
        Assumptions.assumeTrue(ptxCompilerProblem == null, () -> ptxCompilerProblem);
        for (String module : CudaKernels.MODULES) {
            byte[] ptx = CudaKernels.ptx(module);
            for (String arch : List.of("sm_75", "sm_90")) {
                compile(module, ptx, arch);
            }
        }
    }

    @Test
    void ptxWithTooNewIsaIsRejected() {
        Assumptions.assumeTrue(ptxCompilerProblem == null, () -> ptxCompilerProblem);
        byte[] ptx = new String(CudaKernels.ptx("fill"), StandardCharsets.US_ASCII)
                .replace("\n.version 8.0\n", "\n.version 9.0\n").getBytes(StandardCharsets.US_ASCII);
        nvPTXCompilerHandle handle = new nvPTXCompilerHandle();
        assertEquals(nvPTXCompileResult.NVPTXCOMPILE_SUCCESS, JNvPTXCompiler.nvPTXCompilerCreate(handle, ptx.length, ptx));
        try {
            int result = JNvPTXCompiler.nvPTXCompilerCompile(handle, 1, new String[]{"--gpu-name=sm_90"});
            assertTrue(result != nvPTXCompileResult.NVPTXCOMPILE_SUCCESS,
                    "the CUDA 12.0 PTX compiler should refuse ISA 9.0 (that is why build-ptx.sh rewrites the header)");
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(handle);
        }
    }

    @Test
    void buildPtxReproducesTheCommittedModules() throws Exception {
        String committed = Files.readString(PTX_FOLDER.resolve(CudaKernels.MODULES.get(0) + ".ptx"));
        Matcher m = Pattern.compile("// (Cuda compilation tools, release [^\\n]+)").matcher(committed);
        assertTrue(m.find(), "committed PTX names the nvcc that wrote it");
        String wrote = m.group(1).strip();
        String nvcc;
        try {
            nvcc = run(List.of("nvcc", "--version"), 30);
        } catch (IOException e) {
            Assumptions.abort("nvcc is not on PATH: cannot check that build-ptx.sh reproduces the committed PTX");
            return;
        }
        Assumptions.assumeTrue(nvcc.contains(wrote), () -> "the nvcc on PATH is not the one that wrote the committed PTX ("
                + wrote + "); other versions write other (equally valid) PTX");
        Process p = new ProcessBuilder("bash", "build-ptx.sh", "--check").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "build-ptx.sh --check timed out");
        assertEquals(0, p.exitValue(), "build-ptx.sh --check: the committed PTX is not what the sources compile to:\n" + out);
    }

    private static void compile(String module, byte[] ptx, String arch) {
        nvPTXCompilerHandle handle = new nvPTXCompilerHandle();
        int created = JNvPTXCompiler.nvPTXCompilerCreate(handle, ptx.length, ptx);
        assertEquals(nvPTXCompileResult.NVPTXCOMPILE_SUCCESS, created, () -> module + ": nvPTXCompilerCreate "
                + nvPTXCompileResult.stringFor(created));
        try {
            int result = JNvPTXCompiler.nvPTXCompilerCompile(handle, 1, new String[]{"--gpu-name=" + arch});
            if (result != nvPTXCompileResult.NVPTXCOMPILE_SUCCESS) {
                long[] size = new long[1];
                JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(handle, size);
                byte[] log = new byte[(int) size[0] + 1];
                JNvPTXCompiler.nvPTXCompilerGetErrorLog(handle, log);
                fail(module + ".ptx does not compile for " + arch + ": " + nvPTXCompileResult.stringFor(result) + "\n"
                        + new String(log, StandardCharsets.UTF_8).trim());
            }
            long[] size = new long[1];
            JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize(handle, size);
            byte[] cubin = new byte[(int) size[0]];
            JNvPTXCompiler.nvPTXCompilerGetCompiledProgram(handle, cubin);
            assertTrue(cubin.length > 4, module + " for " + arch + ": empty cubin");
            assertArrayEquals(new byte[]{0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(cubin, 4), module + ": cubin is not ELF");
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(handle);
        }
    }

    private static List<String> entries(String ptx) {
        List<String> names = new ArrayList<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static List<String> names(Path folder, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length())).sorted().toList();
        }
    }

    private static String run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        return out;
    }
}
