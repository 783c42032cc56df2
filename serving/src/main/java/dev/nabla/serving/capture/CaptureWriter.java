package dev.nabla.serving.capture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The store's write connection: batches of captured requests, and labels. Each call is one transaction; the
 * connection is reopened after a failure that broke it (a database server restarting). Calls take turns.
 *
 * <p>Auto-commit is switched off only for the length of a transaction: the SQLite driver begins the next transaction
 * as soon as one commits while auto-commit is off, and with immediate transactions that would hold the write lock
 * between batches and lock out every other writer of the file.
 */
final class CaptureWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWriter.class);
    private static final String TABLE = CaptureDatabase.TABLE;
    private static final String INSERT = "INSERT INTO " + TABLE + " (model, request_id, sample_index, samples, version, "
            + "captured_at, input_shape, input_data, output_shape, output_data, predicted_class) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String FIND = "SELECT samples FROM " + TABLE
            + " WHERE model = ? AND request_id = ? AND sample_index = 0";
    private static final String LABEL = "UPDATE " + TABLE + " SET label = ?, labelled_at = ? "
            + "WHERE model = ? AND request_id = ? AND sample_index = ?";

    private final CaptureConfig config;
    private final String store;
    private Connection connection;

    /** Opens the connection and creates the schema if the database has none, so that errors show at start-up. */
    CaptureWriter(CaptureConfig config) {
        this.config = config;
        this.store = CaptureDatabase.describe(config);
        connection();
    }

    /**
     * Writes {@code batch} in one transaction; if that fails, each record in a transaction of its own, so that one bad
     * record does not lose the others. A request already in the database is left as it is (the first capture of an
     * id is kept) and reported as a duplicate.
     */
    synchronized Map<QueuedRecord, QueuedRecord.Outcome> write(List<QueuedRecord> batch) {
        try {
            return insert(batch);
        } catch (SQLException | CaptureStoreException e) {
            rollback();
            if (batch.size() == 1 || e instanceof CaptureStoreException) { // the latter: no connection at all
                LOG.warn("{}: could not capture {} request(s), the first '{}' of model '{}': {}", store, batch.size(),
                        batch.get(0).record.requestId(), batch.get(0).record.model(), e.getMessage());
                Map<QueuedRecord, QueuedRecord.Outcome> failed = new LinkedHashMap<>();
                batch.forEach(r -> failed.put(r, QueuedRecord.Outcome.FAILED));
                return failed;
            }
        }
        Map<QueuedRecord, QueuedRecord.Outcome> outcomes = new LinkedHashMap<>();
        for (QueuedRecord r : batch) {
            outcomes.putAll(write(List.of(r)));
        }
        return outcomes;
    }

    private Map<QueuedRecord, QueuedRecord.Outcome> insert(List<QueuedRecord> batch) throws SQLException {
        Connection c = connection();
        Map<QueuedRecord, QueuedRecord.Outcome> outcomes = new LinkedHashMap<>();
        Set<QueuedRecord.Key> seen = new HashSet<>();
        c.setAutoCommit(false);
        try (PreparedStatement find = c.prepareStatement(FIND); PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (QueuedRecord r : batch) {
                if (!seen.add(r.key) || samples(find, r.key.model(), r.key.requestId()) >= 0) {
                    outcomes.put(r, QueuedRecord.Outcome.DUPLICATE);
                    continue;
                }
                addRows(insert, r.record);
                outcomes.put(r, QueuedRecord.Outcome.WRITTEN);
            }
            insert.executeBatch();
            c.commit();
        }
        c.setAutoCommit(true);
        return outcomes;
    }

    /** One row per sample: its slices of the input and output, and the output's argmax. */
    private static void addRows(PreparedStatement insert, InferenceRecord r) throws SQLException {
        int n = r.samples();
        int inPer = r.input().length / n;
        int outPer = r.output().length / n;
        String inShape = FloatBlobs.shapeText(r.inputShape(), 1);
        String outShape = FloatBlobs.shapeText(r.outputShape(), 1);
        for (int i = 0; i < n; i++) {
            insert.setString(1, r.model());
            insert.setString(2, r.requestId());
            insert.setInt(3, i);
            insert.setInt(4, n);
            insert.setString(5, r.version());
            insert.setLong(6, r.timestampMillis());
            insert.setString(7, inShape);
            insert.setBytes(8, FloatBlobs.encode(r.input(), i * inPer, inPer));
            insert.setString(9, outShape);
            insert.setBytes(10, FloatBlobs.encode(r.output(), i * outPer, outPer));
            // Only [N, classes] outputs have a predicted class.
            int predicted = r.outputShape().length == 2 ? FloatBlobs.argmax(r.output(), i * outPer, outPer) : -1;
            if (predicted >= 0) {
                insert.setInt(11, predicted);
            } else {
                insert.setNull(11, Types.INTEGER);
            }
            insert.addBatch();
        }
    }

    /**
     * Attaches {@code labels} to the samples of a captured request in one transaction, committed when this returns
     * {@code ATTACHED}; null when the request is not in the database.
     */
    synchronized PayloadSink.FeedbackResult attach(String model, String requestId, long[] labels, long nowMillis) {
        try {
            Connection c = connection();
            c.setAutoCommit(false);
            PayloadSink.FeedbackResult result;
            try (PreparedStatement find = c.prepareStatement(FIND); PreparedStatement update = c.prepareStatement(LABEL)) {
                int samples = samples(find, model, requestId);
                if (samples < 0) {
                    result = null;
                } else if (samples != labels.length) {
                    result = PayloadSink.FeedbackResult.WRONG_COUNT;
                } else {
                    for (int i = 0; i < labels.length; i++) {
                        update.setLong(1, labels[i]);
                        update.setLong(2, nowMillis);
                        update.setString(3, model);
                        update.setString(4, requestId);
                        update.setInt(5, i);
                        update.addBatch();
                    }
                    update.executeBatch();
                    result = PayloadSink.FeedbackResult.ATTACHED;
                }
            }
            c.commit();
            c.setAutoCommit(true);
            return result;
        } catch (SQLException e) {
            rollback();
            throw new CaptureStoreException(store + ": cannot attach labels to request '" + requestId + "' of model '"
                    + model + "': " + e.getMessage(), e);
        }
    }

    /** The number of samples of a captured request, or -1 when it is not in the database. */
    private static int samples(PreparedStatement find, String model, String requestId) throws SQLException {
        find.setString(1, model);
        find.setString(2, requestId);
        try (ResultSet r = find.executeQuery()) {
            return r.next() ? r.getInt(1) : -1;
        }
    }

    private Connection connection() {
        if (connection == null) {
            Connection c = CaptureDatabase.connect(config, false);
            try {
                CaptureDatabase.ensureSchema(c, store);
            } catch (RuntimeException e) {
                CaptureReader.closeQuietly(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    /** Undoes the open transaction; drops the connection if it is broken, so that the next call reconnects. */
    private void rollback() {
        if (connection == null) {
            return;
        }
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            if (connection.isValid(2)) {
                return;
            }
        } catch (SQLException ignored) {
            // a broken connection: reopened on the next call
        }
        CaptureReader.closeQuietly(connection);
        connection = null;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            CaptureReader.closeQuietly(connection);
            connection = null;
        }
    }
}
