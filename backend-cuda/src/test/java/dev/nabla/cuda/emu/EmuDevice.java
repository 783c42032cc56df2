package dev.nabla.cuda.emu;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The emulated CUDA device of the emulation tests: {@code src/test/emu/emu_runner.cpp} linked with every unmodified
 * {@code src/main/cuda/*.cu} (compiled by g++ through {@code cuda_emu.h}), run as a child process that holds buffers
 * and launches kernels by name with parameters marshalled as {@code cuLaunchKernel} takes them. See
 * {@code src/main/cuda/README.md}.
 */
public final class EmuDevice implements AutoCloseable {
    private static final Path CUDA = Path.of("src/main/cuda");
    private static final Path EMU = Path.of("src/test/emu");
    /**
     * g++ flags. With the environment variable NABLA_EMU_SANITIZE=1 the kernels also run under UBSan (signed
     * overflow, bad shifts, misaligned or null accesses abort the launch with a report on stderr).
     */
    private static final List<String> FLAGS = flags();

    private static List<String> flags() {
        List<String> f = new ArrayList<>(List.of("-std=c++20", "-O1", "-ffp-contract=off", "-U_FORTIFY_SOURCE",
                "-Wno-unknown-pragmas", "-fno-strict-aliasing"));
        if ("1".equals(System.getenv("NABLA_EMU_SANITIZE"))) {
            f.addAll(List.of("-fsanitize=undefined,float-cast-overflow", "-fno-sanitize-recover=all"));
        }
        return List.copyOf(f);
    }

    /** A device pointer: buffer id and byte offset. */
    public record Ptr(int id, long byteOffset) {
        public Ptr plus(long bytes) {
            return new Ptr(id, byteOffset + bytes);
        }
    }

    /** A NablaLayout struct passed by value (18 ints). */
    public record LayoutArg(int[] ints) {
    }

    private final Process process;
    private final OutputStream out;
    private final DataInputStream in;

    private EmuDevice(Process process) {
        this.process = process;
        this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        this.in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
    }

    /**
     * Builds the runner (once per source state: cached under target/cuda-emu/<hash>) and starts it.
     *
     * @throws IllegalStateException with the reason if g++ or libffi are missing
     */
    public static EmuDevice start() throws IOException, InterruptedException {
        Path exe = build();
        Process p = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new EmuDevice(p);
    }

    public static Path build() throws IOException, InterruptedException {
        List<Path> units = new ArrayList<>();
        try (Stream<Path> s = Files.list(CUDA)) {
            s.filter(f -> f.toString().endsWith(".cu")).sorted().forEach(units::add);
        }
        units.add(EMU.resolve("emu_selftest.cu")); // kernels that test the emulation itself
        List<Path> inputs = new ArrayList<>(units);
        try (Stream<Path> s = Files.list(CUDA)) {
            s.filter(f -> f.toString().endsWith(".cuh")).sorted().forEach(inputs::add);
        }
        inputs.add(EMU.resolve("cuda_emu.h"));
        inputs.add(EMU.resolve("emu_runner.cpp"));
        String hash = hash(inputs);
        Path dir = Path.of("target/cuda-emu", hash);
        Path exe = dir.resolve("emu_runner");
        if (Files.isExecutable(exe)) {
            return exe;
        }
        String gxx = System.getenv().getOrDefault("CXX", "g++");
        try {
            run(List.of(gxx, "--version"), 30);
        } catch (IOException e) {
            throw new IllegalStateException("no C++ compiler: " + gxx + " is not on PATH (set CXX)");
        }
        Files.createDirectories(dir);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        try {
            List<Future<String>> jobs = new ArrayList<>();
            List<String> objects = new ArrayList<>();
            for (Path cu : units) {
                String name = cu.getFileName().toString().replace(".cu", ".o");
                Path obj = dir.resolve(name);
                objects.add(obj.toString());
                List<String> cmd = new ArrayList<>(List.of(gxx));
                cmd.addAll(FLAGS);
                cmd.addAll(List.of("-x", "c++", "-include", EMU.resolve("cuda_emu.h").toString(), "-I", CUDA.toString(),
                        "-c", cu.toString(), "-o", obj.toString()));
                jobs.add(pool.submit(() -> run(cmd, 600)));
            }
            Path runnerObj = dir.resolve("emu_runner.o");
            objects.add(runnerObj.toString());
            List<String> cmd = new ArrayList<>(List.of(gxx));
            cmd.addAll(FLAGS);
            cmd.addAll(List.of("-I", EMU.toString(), "-I", CUDA.toString(), "-c", EMU.resolve("emu_runner.cpp").toString(), "-o",
                    runnerObj.toString()));
            jobs.add(pool.submit(() -> run(cmd, 600)));
            for (Future<String> j : jobs) {
                try {
                    j.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c.getMessage() != null && c.getMessage().contains("ffi.h")) {
                        throw new IllegalStateException("libffi's header ffi.h is missing (Debian/Ubuntu: libffi-dev)");
                    }
                    throw new IOException(c.getMessage(), c);
                }
            }
            List<String> link = new ArrayList<>(List.of(gxx, "-rdynamic", "-o", dir.resolve("emu_runner.tmp").toString()));
            FLAGS.stream().filter(f -> f.startsWith("-fsanitize") || f.startsWith("-fno-sanitize")).forEach(link::add);
            link.addAll(objects);
            link.addAll(List.of("-lffi", "-ldl"));
            run(link, 300);
            Files.move(dir.resolve("emu_runner.tmp"), exe, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return exe;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String hash(List<Path> files) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(String.join(" ", FLAGS).getBytes(StandardCharsets.UTF_8));
            for (Path f : files) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + text);
        }
        return text;
    }

    // ------------------------------------------------------------------ protocol

    private ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void send(ByteBuffer b) throws IOException {
        out.write(b.array(), 0, b.position());
    }

    private int readInt() throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new IOException("the emulated device died (exit " + exitCode() + ")");
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private String exitCode() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            return "?";
        }
    }

    /** A new buffer of {@code bytes}, filled with 0xCD. */
    public int alloc(long bytes) throws IOException {
        ByteBuffer b = le(9);
        b.put((byte) 'A').putLong(bytes);
        send(b);
        out.flush();
        return readInt();
    }

    public void write(int id, long byteOffset, byte[] data) throws IOException {
        ByteBuffer b = le(17);
        b.put((byte) 'W').putInt(id).putLong(byteOffset).putInt(data.length);
        send(b);
        out.write(data);
        out.flush();
        readInt();
    }

    public byte[] read(int id, long byteOffset, int len) throws IOException {
        ByteBuffer b = le(17);
        b.put((byte) 'R').putInt(id).putLong(byteOffset).putInt(len);
        send(b);
        out.flush();
        byte[] r = in.readNBytes(len);
        if (r.length < len) {
            throw new IOException("the emulated device died (exit " + exitCode() + ")");
        }
        return r;
    }

    public void free(int id) throws IOException {
        ByteBuffer b = le(5);
        b.put((byte) 'F').putInt(id);
        send(b);
        out.flush();
        readInt();
    }

    /**
     * Launches kernel {@code name} on {@code grid} blocks of {@code block} threads. Parameters: {@link Ptr},
     * {@link LayoutArg}, Integer (int), Long (long long), Float, Double.
     *
     * @param order 0: threads and blocks in index order; 1: reversed; 2: threads shuffled
     */
    public void launch(String name, int grid, int block, int order, Object... params) throws IOException {
        byte[] nm = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = le(21 + nm.length + params.length * 73);
        b.put((byte) 'L').putInt(nm.length).put(nm).putInt(grid).putInt(block).putInt(order).putInt(params.length);
        for (Object p : params) {
            switch (p) {
                case Ptr q -> b.put((byte) 'p').putInt(q.id()).putLong(q.byteOffset());
                case Integer i -> b.put((byte) 'i').putInt(i);
                case Long l -> b.put((byte) 'l').putLong(l);
                case Float f -> b.put((byte) 'f').putFloat(f);
                case Double d -> b.put((byte) 'd').putDouble(d);
                case LayoutArg l -> {
                    b.put((byte) 'L');
                    for (int v : l.ints()) {
                        b.putInt(v);
                    }
                }
                default -> throw new IllegalArgumentException("parameter type " + p.getClass());
            }
        }
        send(b);
        out.flush();
        int status = readInt();
        int len = readInt();
        String msg = new String(in.readNBytes(len), StandardCharsets.UTF_8);
        if (status != 0) {
            throw new IllegalStateException(name + ": " + msg);
        }
    }

    /** Runs the runner's check of emu_launch (the C++ launch helper); true if it works. */
    public boolean selfTestCppLaunch() throws IOException {
        out.write('T');
        out.flush();
        return readInt() == 0;
    }

    @Override
    public void close() throws IOException {
        try {
            out.write('Q');
            out.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The input stream of the process, for tests of the protocol itself. */
    InputStream rawInput() {
        return in;
    }
}
