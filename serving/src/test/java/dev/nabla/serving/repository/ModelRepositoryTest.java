package dev.nabla.serving.repository;

import dev.nabla.serving.TestModels;
import dev.nabla.serving.batching.BatchingOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRepositoryTest {
    static byte[] v1;
    static byte[] v2;
    static byte[] v3;

    @TempDir
    Path root;
    final Events events = new Events();
    ModelRepository repository;

    /** What the repository told its listener, as "loaded cnn 2" lines. */
    static final class Events implements RepositoryListener {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void loaded(String model, long version) {
            lines.add("loaded " + model + " " + version);
        }

        @Override
        public void loadFailed(String model, long version) {
            lines.add("failed " + model + " " + version);
        }

        @Override
        public void unloaded(String model, long version) {
            lines.add("unloaded " + model + " " + version);
        }
    }

    @BeforeAll
    static void models() {
        v1 = TestModels.modelBytes(TestModels.cnn(1));
        v2 = TestModels.modelBytes(TestModels.cnn(2));
        v3 = TestModels.modelBytes(TestModels.cnn(3));
    }

    @AfterEach
    void close() {
        if (repository != null) {
            repository.close();
        }
    }

    void start() {
        repository = new ModelRepository(root, new BatchingOptions(4, Duration.ZERO, 16), events);
        repository.start(Duration.ZERO);
    }

    long served(String model) {
        try (ModelLease lease = repository.lease(model, OptionalLong.empty())) {
            return lease.model().version();
        }
    }

    static float[] infer(ServedModel model) {
        return model.infer(TestModels.images(1, 1), 1).join();
    }

    @Test
    void theNewestVersionServesAndAReplacedOneLivesUntilItsLastRequest() {
        TestModels.publish(root, "cnn", 1, v1);
        TestModels.publish(root, "cnn", 2, v2);
        start();
        assertEquals(2, served("cnn"));
        assertEquals(List.of("loaded cnn 2"), events.lines);

        ModelLease inFlight = repository.lease("cnn", OptionalLong.empty());
        TestModels.publish(root, "cnn", 3, v3);
        repository.scan();
        assertEquals(3, served("cnn"));
        assertEquals(List.of("loaded cnn 2", "loaded cnn 3"), events.lines, "version 2 stays while leased");
        assertEquals(10, infer(inFlight.model()).length, "the leased version still runs");
        inFlight.close();
        assertEquals(List.of("loaded cnn 2", "loaded cnn 3", "unloaded cnn 2"), events.lines);
        assertThrows(IllegalStateException.class, () -> infer(inFlight.model()), "its batcher is gone");
        inFlight.close(); // a second close gives nothing back twice
        assertEquals(3, served("cnn"));
    }

    @Test
    void aCorruptNewestVersionLeavesTheOlderServingUntilItsFileIsFixed() throws IOException {
        TestModels.publish(root, "cnn", 1, v1);
        Path two = TestModels.publish(root, "cnn", 2, Arrays.copyOf(v2, v2.length - 100));
        start();
        assertEquals(1, served("cnn"));
        ModelStatus status = repository.model("cnn").orElseThrow();
        assertEquals(VersionStatus.State.FAILED, status.versions().get(0).state());
        assertTrue(status.versions().get(0).reason().contains(two.resolve("model.nabla").toString()),
                status.versions().get(0).reason());
        assertEquals(VersionStatus.State.READY, status.versions().get(1).state());

        repository.scan();
        assertEquals(List.of("failed cnn 2", "loaded cnn 1"), events.lines, "an unchanged file is not tried again");

        Files.write(two.resolve("model.nabla"), v2);
        repository.scan();
        assertEquals(2, served("cnn"));
        assertEquals(List.of("failed cnn 2", "loaded cnn 1", "loaded cnn 2", "unloaded cnn 1"), events.lines);
        assertEquals(VersionStatus.State.READY, repository.model("cnn").orElseThrow().versions().get(0).state());
    }

    @Test
    void aServedFileChangedInPlaceReloadsAndABrokenChangeKeepsTheOldInMemory() throws IOException {
        Path one = TestModels.publish(root, "cnn", 1, v1);
        start();
        float[] before = infer(leaseModel());
        Files.write(one.resolve("model.nabla"), Arrays.copyOf(v2, 1000));
        repository.scan();
        assertEquals(1, served("cnn"));
        assertEquals(before[0], infer(leaseModel())[0], "still the first weights");
        assertEquals(VersionStatus.State.READY, repository.model("cnn").orElseThrow().versions().get(0).state());
        assertTrue(repository.model("cnn").orElseThrow().versions().stream()
                .anyMatch(v -> v.state() == VersionStatus.State.FAILED));

        Files.write(one.resolve("model.nabla"), v2);
        repository.scan();
        assertFalse(before[0] == infer(leaseModel())[0], "the new weights serve");
        assertEquals(List.of("loaded cnn 1", "failed cnn 1", "loaded cnn 1", "unloaded cnn 1"), events.lines);
    }

    private ServedModel leaseModel() {
        try (ModelLease lease = repository.lease("cnn", OptionalLong.empty())) {
            return lease.model(); // used right after: nothing swaps it meanwhile in this test
        }
    }

    @Test
    void deletingVersionsFallsBackAndDeletingTheModelUnloadsIt() throws IOException {
        TestModels.publish(root, "cnn", 1, v1);
        Path two = TestModels.publish(root, "cnn", 2, v2);
        start();
        assertEquals(2, served("cnn"));
        delete(two);
        repository.scan();
        assertEquals(1, served("cnn"), "rolled back to version 1");
        delete(root.resolve("cnn").resolve("1"));
        repository.scan();
        ModelUnavailableException none = assertThrows(ModelUnavailableException.class, () -> served("cnn"));
        assertTrue(none.getMessage().contains("has no version to serve"), none.getMessage());
        delete(root.resolve("cnn"));
        repository.scan();
        ModelNotFoundException gone = assertThrows(ModelNotFoundException.class, () -> served("cnn"));
        assertEquals("no model 'cnn' in the repository (it has none)", gone.getMessage());
        assertEquals(List.of("loaded cnn 2", "loaded cnn 1", "unloaded cnn 2", "unloaded cnn 1"), events.lines);
    }

    @Test
    void onlyPositiveWholeVersionsWithAModelFileCount() throws IOException {
        TestModels.publish(root, "cnn", 1, v1);
        for (String dir : List.of("0", "007", "v2", "-3", "99999999999999999999")) {
            Files.createDirectories(root.resolve("cnn").resolve(dir));
            Files.write(root.resolve("cnn").resolve(dir).resolve("model.nabla"), v2);
        }
        Files.createDirectories(root.resolve("cnn").resolve("5")); // not written yet
        Files.createDirectories(root.resolve("cnn").resolve(".staging-6"));
        Files.write(root.resolve("cnn").resolve(".staging-6").resolve("model.nabla"), v2);
        Files.createDirectories(root.resolve(".hidden").resolve("1"));
        Files.write(root.resolve("README"), new byte[0]);
        start();
        assertEquals(1, served("cnn"));
        assertEquals(List.of("cnn"), repository.models().stream().map(ModelStatus::name).toList());
        assertEquals(1, repository.model("cnn").orElseThrow().versions().size());
    }

    @Test
    void anUnreadableRepositoryChangesNothing() throws IOException {
        TestModels.publish(root, "cnn", 1, v1);
        start();
        Path moved = root.resolveSibling(root.getFileName() + "-moved");
        Files.move(root, moved);
        try {
            repository.scan();
            assertEquals(1, served("cnn"), "a repository that cannot be listed unloads nothing");
        } finally {
            Files.move(moved, root);
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
