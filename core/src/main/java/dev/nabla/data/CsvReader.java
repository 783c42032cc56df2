package dev.nabla.data;

import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads numeric CSV files into a {@link TensorDataset}: one example per line, one column as the
 * target. Malformed lines are reported with their line number.
 */
public final class CsvReader {
    private CsvReader() {
    }

    /**
     * @param hasHeader    skip the first line
     * @param targetColumn index of the target column (negative counts from the end)
     * @param classTarget  true: the target is an integer class label (INT64); false: a number (FLOAT32)
     */
    public static TensorDataset read(Path file, boolean hasHeader, int targetColumn, boolean classTarget) {
        List<float[]> features = new ArrayList<>();
        List<Double> targets = new ArrayList<>();
        int columns = -1;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if ((hasHeader && lineNumber == 1) || line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",", -1);
                if (columns < 0) {
                    columns = fields.length;
                    if (columns < 2) {
                        throw new FileFormatException(file, "line " + lineNumber + " has " + columns
                                + " column; need at least a feature and a target");
                    }
                } else if (fields.length != columns) {
                    throw new FileFormatException(file, "line " + lineNumber + " has " + fields.length
                            + " columns, expected " + columns);
                }
                int target = targetColumn < 0 ? columns + targetColumn : targetColumn;
                if (target < 0 || target >= columns) {
                    throw new IllegalArgumentException("CsvReader: target column " + targetColumn + " does not exist in "
                            + columns + " columns of " + file);
                }
                float[] row = new float[columns - 1];
                for (int c = 0, j = 0; c < columns; c++) {
                    double value = parse(file, lineNumber, c, fields[c]);
                    if (c == target) {
                        if (classTarget && (value != Math.rint(value) || value < 0)) {
                            throw new FileFormatException(file, "line " + lineNumber + ": class label '" + fields[c].trim()
                                    + "' is not a non-negative integer");
                        }
                        targets.add(value);
                    } else {
                        row[j++] = (float) value;
                    }
                }
                features.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        }
        if (features.isEmpty()) {
            throw new FileFormatException(file, "contains no data rows");
        }
        int width = columns - 1;
        float[] flat = new float[features.size() * width];
        for (int i = 0; i < features.size(); i++) {
            System.arraycopy(features.get(i), 0, flat, i * width, width);
        }
        Tensor x = Tensor.of(flat, features.size(), width);
        Tensor y;
        if (classTarget) {
            long[] labels = targets.stream().mapToLong(Double::longValue).toArray();
            y = Tensor.of(labels);
        } else {
            float[] values = new float[targets.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = targets.get(i).floatValue();
            }
            y = Tensor.of(values);
        }
        return new TensorDataset(x, y);
    }

    private static double parse(Path file, int line, int column, String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new FileFormatException(file, "line " + line + ", column " + (column + 1) + ": '" + text
                    + "' is not a number");
        }
    }
}
