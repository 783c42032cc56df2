package dev.nabla.serving.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a capture store: the labelled samples that retraining learns from, the recent inputs and predicted classes
 * that drift detection tests, and counts. Readers do not block the server's writer (SQLite in WAL mode, or any
 * database with row versioning). Every list is bounded by the caller's {@code limit} and ordered newest first
 * (by capture time, then request id and sample index). Thread-safe: calls take turns on one connection.
 */
public final class CaptureReader implements AutoCloseable {
    private static final String TABLE = CaptureDatabase.TABLE;
    private static final String ORDER = " ORDER BY captured_at DESC, request_id, sample_index";

    private final Connection connection;
    private final String store;

    CaptureReader(Connection connection, String store) {
        this.connection = connection;
        this.store = store;
    }

    /** Opens an existing store for reading; creates nothing, and refuses a database without a capture schema. */
    public static CaptureReader open(CaptureConfig config) {
        String store = CaptureDatabase.describe(config);
        Connection c = CaptureDatabase.connect(config, true);
        try {
            CaptureDatabase.checkSchema(c, store);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return new CaptureReader(c, store);
    }

    /** {@link #open(CaptureConfig)} for a JDBC URL or the path of a SQLite file. */
    public static CaptureReader open(String store) {
        return open(CaptureConfig.of(store));
    }

    /** The models that have captured samples, by name. */
    public synchronized List<String> models() {
        List<String> models = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement("SELECT DISTINCT model FROM " + TABLE
                + " ORDER BY model"); ResultSet r = p.executeQuery()) {
            while (r.next()) {
                models.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw failed("list the captured models", e);
        }
        return models;
    }

    public synchronized CaptureCounts counts(String model) {
        try (PreparedStatement p = connection.prepareStatement("SELECT COUNT(*), COUNT(label), "
                + "SUM(CASE WHEN sample_index = 0 THEN 1 ELSE 0 END) FROM " + TABLE + " WHERE model = ?")) {
            p.setString(1, model);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new CaptureCounts(r.getLong(3), r.getLong(1), r.getLong(2));
            }
        } catch (SQLException e) {
            throw failed("count the samples of model '" + model + "'", e);
        }
    }

    /** The newest {@code limit} labelled samples of {@code model}, any version. */
    public List<LabelledSample> labelled(String model, int limit) {
        return labelled(model, Long.MIN_VALUE, Long.MAX_VALUE, limit);
    }

    /**
     * The newest {@code limit} labelled samples of {@code model} captured in [{@code fromMillis}, {@code toMillis})
     * (milliseconds since the epoch), any version.
     */
    public synchronized List<LabelledSample> labelled(String model, long fromMillis, long toMillis, int limit) {
        checkLimit(limit);
        List<LabelledSample> samples = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement("SELECT request_id, sample_index, version, captured_at, "
                + "labelled_at, input_shape, input_data, label FROM " + TABLE + " WHERE model = ? AND label IS NOT NULL "
                + "AND captured_at >= ? AND captured_at < ?" + ORDER)) {
            p.setString(1, model);
            p.setLong(2, fromMillis);
            p.setLong(3, toMillis);
            p.setMaxRows(limit);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    String row = row(model, r.getString(1), r.getInt(2));
                    int[] shape = FloatBlobs.parseShape(r.getString(6), row + " input shape");
                    float[] input = FloatBlobs.decode(r.getBytes(7), size(shape, row), row + " input");
                    samples.add(new LabelledSample(r.getString(1), r.getInt(2), r.getString(3), r.getLong(4),
                            r.getLong(5), shape, input, r.getLong(8)));
                }
            }
        } catch (SQLException e) {
            throw failed("read the labelled samples of model '" + model + "'", e);
        }
        return samples;
    }

    /**
     * The newest {@code limit} samples of {@code model}, of {@code version} only unless it is null, with their inputs,
     * outputs and predicted classes.
     */
    public synchronized List<CapturedSample> recent(String model, String version, int limit) {
        checkLimit(limit);
        List<CapturedSample> samples = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement("SELECT request_id, sample_index, version, captured_at, "
                + "input_shape, input_data, output_shape, output_data, predicted_class FROM " + TABLE
                + " WHERE model = ?" + (version == null ? "" : " AND version = ?") + ORDER)) {
            p.setString(1, model);
            if (version != null) {
                p.setString(2, version);
            }
            p.setMaxRows(limit);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    String row = row(model, r.getString(1), r.getInt(2));
                    int[] inShape = FloatBlobs.parseShape(r.getString(5), row + " input shape");
                    float[] input = FloatBlobs.decode(r.getBytes(6), size(inShape, row), row + " input");
                    int[] outShape = FloatBlobs.parseShape(r.getString(7), row + " output shape");
                    float[] output = FloatBlobs.decode(r.getBytes(8), size(outShape, row), row + " output");
                    int predicted = r.getInt(9);
                    samples.add(new CapturedSample(r.getString(1), r.getInt(2), r.getString(3), r.getLong(4), inShape,
                            input, outShape, output, r.wasNull() ? -1 : predicted));
                }
            }
        } catch (SQLException e) {
            throw failed("read the recent samples of model '" + model + "'", e);
        }
        return samples;
    }

    @Override
    public synchronized void close() {
        closeQuietly(connection);
    }

    private static void checkLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("capture: a read needs a positive row limit, found " + limit);
        }
    }

    private int size(int[] shape, String row) {
        long n = FloatBlobs.numel(shape, 0);
        if (n < 0) {
            throw new CaptureStoreException(row + " has a shape of more than " + Integer.MAX_VALUE + " values");
        }
        return (int) n;
    }

    private String row(String model, String requestId, int sampleIndex) {
        return store + ": sample " + sampleIndex + " of request '" + requestId + "' of model '" + model + "'";
    }

    private CaptureStoreException failed(String action, SQLException e) {
        return new CaptureStoreException(store + ": cannot " + action + ": " + e.getMessage(), e);
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing is best effort; the database is consistent after every commit
        }
    }
}
