package dev.nabla.serving.capture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * Connections to the capture database and its schema. All SQL here and elsewhere in this package is portable
 * (standard types, prepared statements, row limits through {@link java.sql.Statement#setMaxRows}); the only
 * database-specific parts are the SQLite pragmas set on connecting and the name of the binary column type.
 *
 * <p>Schema version 1: a table {@value #META_TABLE} of (meta_key, meta_value) holding {@code schema_version}, and
 * a table {@value #TABLE} of one row per captured sample, keyed by (model, request_id, sample_index).
 */
final class CaptureDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureDatabase.class);

    static final int SCHEMA_VERSION = 1;
    static final String TABLE = "nabla_capture";
    static final String META_TABLE = "nabla_capture_meta";
    static final String VERSION_KEY = "schema_version";
    /** How long a SQLite connection waits for another's write lock before failing. */
    static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    private CaptureDatabase() {
    }

    /** What the store is called in messages: the URL without its parameters (which may hold a password). */
    static String describe(CaptureConfig config) {
        String url = config.jdbcUrl();
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /**
     * A connection with auto-commit on. SQLite connections are put in WAL mode (readers and the writer do not block
     * each other; a crash of the process loses no commit), with the configured {@code synchronous}, a busy timeout,
     * and transactions that take the write lock when they begin (so that two writers wait for each other instead of
     * failing when a read turns into a write).
     *
     * @param mustExist refuse a SQLite file that does not exist instead of creating it (for readers)
     */
    static Connection connect(CaptureConfig config, boolean mustExist) {
        String store = describe(config);
        Properties properties = new Properties();
        if (config.isSqlite()) {
            Path file = sqliteFile(config);
            if (mustExist && !Files.isRegularFile(file)) {
                throw new CaptureStoreException(store + ": no such capture store (expected a SQLite file written by "
                        + "the server's payload capture)");
            }
            SQLiteConfig sqlite = new SQLiteConfig();
            sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
            sqlite.setSynchronous(config.synchronous() == CaptureConfig.SqliteSynchronous.FULL
                    ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
            sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            properties = sqlite.toProperties();
        }
        try {
            Connection c = DriverManager.getConnection(config.jdbcUrl(), properties);
            if (config.isSqlite()) {
                checkJournalMode(c, store);
            }
            return c;
        } catch (SQLException e) {
            throw new CaptureStoreException(store + ": cannot open the capture store: " + e.getMessage(), e);
        }
    }

    /** The file of a {@code jdbc:sqlite:FILE} URL; an in-memory database is refused (the writer and readers use
     * separate connections, which would each see a database of their own). */
    static Path sqliteFile(CaptureConfig config) {
        String name = config.jdbcUrl().substring("jdbc:sqlite:".length());
        int q = name.indexOf('?');
        if (q >= 0) {
            name = name.substring(0, q);
        }
        if (name.startsWith("file:")) {
            name = name.substring("file:".length());
        }
        if (name.isEmpty() || name.equals(":memory:") || name.contains("mode=memory")) {
            throw new CaptureStoreException(describe(config) + ": a capture store must be a file; an in-memory "
                    + "SQLite database is not shared between the store's connections");
        }
        return Path.of(name);
    }

    private static void checkJournalMode(Connection c, String store) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
            String mode = r.next() ? r.getString(1) : null;
            if (!"wal".equalsIgnoreCase(mode)) {
                // Still crash-safe (rollback journal), but readers then block the writer.
                LOG.warn("{}: SQLite could not switch to WAL mode (journal_mode is {}); capture still commits "
                        + "safely but readers will delay writes", store, mode);
            }
        }
    }

    /** Creates the schema when the database has none; checks its version when it has one. */
    static void ensureSchema(Connection c, String store) {
        try {
            if (tableExists(c, META_TABLE)) {
                checkVersion(c, store);
                return;
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                String blob = binaryType(c);
                s.executeUpdate("CREATE TABLE " + META_TABLE + " (meta_key VARCHAR(64) NOT NULL PRIMARY KEY, "
                        + "meta_value VARCHAR(255) NOT NULL)");
                s.executeUpdate("CREATE TABLE " + TABLE + " ("
                        + "model VARCHAR(" + CaptureConfig.MAX_NAME_LENGTH + ") NOT NULL, "
                        + "request_id VARCHAR(" + CaptureConfig.MAX_NAME_LENGTH + ") NOT NULL, "
                        + "sample_index INTEGER NOT NULL, "
                        + "samples INTEGER NOT NULL, "
                        + "version VARCHAR(" + CaptureConfig.MAX_VERSION_LENGTH + ") NOT NULL, "
                        + "captured_at BIGINT NOT NULL, "
                        + "input_shape VARCHAR(128) NOT NULL, "
                        + "input_data " + blob + " NOT NULL, "
                        + "output_shape VARCHAR(128) NOT NULL, "
                        + "output_data " + blob + " NOT NULL, "
                        + "predicted_class INTEGER, "
                        + "label BIGINT, "
                        + "labelled_at BIGINT, "
                        + "PRIMARY KEY (model, request_id, sample_index))");
                s.executeUpdate("CREATE INDEX " + TABLE + "_by_time ON " + TABLE + " (model, captured_at)");
                try (PreparedStatement p = c.prepareStatement("INSERT INTO " + META_TABLE
                        + " (meta_key, meta_value) VALUES (?, ?)")) {
                    p.setString(1, VERSION_KEY);
                    p.setString(2, Integer.toString(SCHEMA_VERSION));
                    p.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                // Another process may have created the schema at the same moment: then use theirs.
                if (!tableExists(c, META_TABLE)) {
                    throw e;
                }
                checkVersion(c, store);
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new CaptureStoreException(store + ": cannot create the capture tables: " + e.getMessage(), e);
        }
    }

    /** Checks that the database holds a capture schema this code reads (for readers, which create nothing). */
    static void checkSchema(Connection c, String store) {
        try {
            if (!tableExists(c, META_TABLE)) {
                throw new CaptureStoreException(store + ": not a capture store (no table " + META_TABLE + ")");
            }
            checkVersion(c, store);
        } catch (SQLException e) {
            throw new CaptureStoreException(store + ": cannot read the capture schema: " + e.getMessage(), e);
        }
    }

    private static void checkVersion(Connection c, String store) throws SQLException {
        String found;
        try (PreparedStatement p = c.prepareStatement("SELECT meta_value FROM " + META_TABLE + " WHERE meta_key = ?")) {
            p.setString(1, VERSION_KEY);
            try (ResultSet r = p.executeQuery()) {
                found = r.next() ? r.getString(1) : null;
            }
        }
        if (!Integer.toString(SCHEMA_VERSION).equals(found)) {
            throw new CaptureStoreException(store + ": capture schema version " + (found == null ? "missing" : found)
                    + "; this version of Nabla reads version " + SCHEMA_VERSION);
        }
    }

    private static boolean tableExists(Connection c, String name) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        // getTables takes a pattern, in which '_' matches any character.
        String escape = meta.getSearchStringEscape();
        // Unquoted names are stored lower case by some databases (PostgreSQL) and upper case by others.
        for (String candidate : new String[]{name, name.toUpperCase(Locale.ROOT)}) {
            String pattern = escape == null || escape.isEmpty() ? candidate : candidate.replace("_", escape + "_");
            try (ResultSet r = meta.getTables(null, null, pattern, new String[]{"TABLE"})) {
                if (r.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The column type of variable-length bytes: BYTEA in PostgreSQL, LONGBLOB in MySQL, BLOB elsewhere. */
    private static String binaryType(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("postgres")) {
            return "BYTEA";
        }
        if (product.contains("mysql") || product.contains("mariadb")) {
            return "LONGBLOB";
        }
        return "BLOB";
    }
}
