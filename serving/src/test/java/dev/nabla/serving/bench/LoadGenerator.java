package dev.nabla.serving.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.cpu.CpuBackend;
import dev.nabla.inference.runtime.Predictor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures a running server the way the serving targets are stated (not a unit test). Three modes:
 * <pre>
 *   LoadGenerator direct   --model FILE [--threads 2] [--requests 5000]
 *       a direct Predictor call for one image, in this process: p50/p99
 *   LoadGenerator rate     --port P --model-name NAME --rate 500 [--requests 10000] [--connections 32]
 *       open loop: batch-1 requests sent at a fixed rate whatever the answers; latency from each request's
 *       scheduled time, so a stalled server is charged for the requests it delays
 *   LoadGenerator saturate --port P --model-name NAME [--requests 20000] [--connections 64]
 *       closed loop: every connection sends its next request as soon as the last is answered; throughput
 * </pre>
 * With {@code --get PATH} the rate and saturate modes send GET requests to PATH instead (e.g. /v2/health/live: the
 * HTTP stack alone, for comparison).
 * Requests are JSON FP32 images of the model's input shape (from its metadata), random pixels in [0, 1). The first
 * 10% of requests (at least 500) warm up and are not counted.
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: LoadGenerator direct|rate|saturate [--option value ...]");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        switch (args[0]) {
            case "direct" -> direct(Path.of(o.get("model")), Integer.parseInt(o.getOrDefault("threads", "2")),
                    Integer.parseInt(o.getOrDefault("requests", "5000")));
            case "rate", "saturate" -> {
                String host = o.getOrDefault("host", "127.0.0.1");
                int port = Integer.parseInt(o.get("port"));
                String model = o.get("model-name");
                int requests = Integer.parseInt(o.getOrDefault("requests", args[0].equals("rate") ? "10000"
                        : "20000"));
                int connections = Integer.parseInt(o.getOrDefault("connections", args[0].equals("rate") ? "32"
                        : "64"));
                // --get PATH: GET requests to PATH instead (the HTTP stack alone, e.g. /v2/health/live)
                String get = o.get("get");
                byte[] body = get == null ? requestBody(host, port, model) : null;
                String path = get == null ? "/v2/models/" + model + "/infer" : get;
                double rate = args[0].equals("rate") ? Double.parseDouble(o.getOrDefault("rate", "500")) : 0;
                run(host, port, path, body, requests, connections, rate);
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** One JSON FP32 image shaped like the model's input with batch 1. */
    static byte[] requestBody(String host, int port, String model) throws IOException {
        HttpConnection meta = new HttpConnection(host, port, "GET", "/v2/models/" + model, null, null);
        int status = meta.send();
        if (status != 200) {
            throw new IOException("GET /v2/models/" + model + ": " + status + " "
                    + new String(meta.lastBody(), StandardCharsets.UTF_8));
        }
        JsonNode input = new ObjectMapper().readTree(meta.lastBody()).path("inputs").path(0);
        meta.close();
        List<Integer> shape = new ArrayList<>();
        int values = 1;
        for (JsonNode d : input.path("shape")) {
            int dim = d.asInt() == -1 ? 1 : d.asInt();
            shape.add(dim);
            values *= dim;
        }
        Random random = new Random(1);
        StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"").append(input.path("name").asText())
                .append("\",\"shape\":").append(shape.toString().replace(" ", ""))
                .append(",\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < values; i++) {
            sb.append(i > 0 ? "," : "").append(random.nextFloat());
        }
        return sb.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code requests} (after a warm-up) at {@code rate} per second, or as fast as answered if 0. */
    static void run(String host, int port, String path, byte[] body, int requests, int connections, double rate)
            throws InterruptedException {
        int warmUp = Math.max(500, requests / 10);
        phase(host, port, path, body, warmUp, connections, rate, false);
        phase(host, port, path, body, requests, connections, rate, true);
    }

    private static void phase(String host, int port, String path, byte[] body, int requests, int connections,
                              double rate, boolean report) throws InterruptedException {
        long[] latency = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        long start = System.nanoTime() + 20_000_000;
        long intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
        long[] lastDone = new long[connections];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().start(() -> {
                try (HttpConnection conn = new HttpConnection(host, port, body == null ? "GET" : "POST", path,
                        body, "application/json")) {
                    for (int i; (i = next.getAndIncrement()) < requests; ) {
                        long scheduled = rate > 0 ? start + i * intervalNanos : System.nanoTime();
                        for (long wait; (wait = scheduled - System.nanoTime()) > 0; ) {
                            LockSupport.parkNanos(wait);
                        }
                        int status;
                        try {
                            status = conn.send();
                        } catch (IOException e) {
                            status = -1;
                        }
                        long done = System.nanoTime();
                        latency[i] = done - scheduled;
                        lastDone[id] = Math.max(lastDone[id], done);
                        if (status != 200) {
                            failures.incrementAndGet();
                            statuses.merge(status, 1, Integer::sum);
                        }
                    }
                }
            }));
        }
        long t0 = rate > 0 ? start : System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        if (!report) {
            return;
        }
        long end = Arrays.stream(lastDone).max().orElse(t0);
        double seconds = (end - t0) / 1e9;
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s: %d requests, %d connections%s: %.0f requests/s, latency p50 %.3f ms, "
                        + "p90 %.3f ms, p99 %.3f ms, max %.3f ms, %d failed%s%n",
                rate > 0 ? "open loop" : "closed loop", requests, connections,
                rate > 0 ? String.format(Locale.ROOT, " at %.0f/s", rate) : "", requests / seconds,
                pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1] / 1e6, failures.get(),
                statuses.isEmpty() ? "" : " " + statuses);
    }

    /** A direct Predictor call for one image, as the server's batcher makes it at batch 1. */
    static void direct(Path model, int threads, int calls) {
        CpuBackend.setThreads(threads);
        try (Predictor predictor = Predictor.load(model)) {
            int[] shape = predictor.inputType().concrete(1);
            float[] x = new float[(int) predictor.inputType().numel(1)];
            Random random = new Random(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat();
            }
            long[] nanos = new long[calls];
            for (int round = 0; round < 2; round++) { // the first round warms up
                for (int i = 0; i < calls; i++) {
                    long t0 = System.nanoTime();
                    try (var scope = TensorScope.open()) {
                        predictor.predict(Tensor.of(x, shape)).toFloatArray();
                    }
                    nanos[i] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "direct Predictor, batch 1, %d threads: p50 %.3f ms, p99 %.3f ms "
                    + "(%d calls)%n", threads, pct(nanos, 50), pct(nanos, 99), calls);
        }
    }

    static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100) - 1)] / 1e6;
    }
}
