package dev.nabla.serving.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.util.TokenBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads an Open Inference Protocol request ({@code $inference_request}) for one model and checks it against the
 * model's input and output: JSON tensors ({@code name}, {@code shape}, {@code datatype}, {@code data} flat or nested)
 * and the binary tensor extension (a JSON header of {@code Inference-Header-Content-Length} bytes, then each
 * input's {@code binary_data_size} bytes, little-endian). Everything is checked before a value is converted; every
 * refusal is a {@link ProtocolException} that names the field, what was expected and what was found.
 *
 * <p>Unknown fields and parameters are ignored, as the protocol's extensions need.
 */
public final class InferRequestDecoder {
    /** Longest request id kept: ids go into logs and the payload store. */
    public static final int MAX_ID_LENGTH = 256;
    /** Highest tensor rank accepted. */
    static final int MAX_RANK = 32;

    private final TensorSpec input;
    private final TensorSpec output;

    public InferRequestDecoder(TensorSpec input, TensorSpec output) {
        this.input = input;
        this.output = output;
    }

    /**
     * The request in {@code body}.
     *
     * @param headerLength the {@code Inference-Header-Content-Length} header's value, or -1 where the request has
     *                     none (the whole body is JSON)
     */
    public InferRequest decode(byte[] body, long headerLength) {
        int jsonLength = body.length;
        if (headerLength >= 0) {
            if (headerLength > body.length) {
                throw new ProtocolException("Inference-Header-Content-Length: expected at most the body's "
                        + body.length + " bytes, found " + headerLength);
            }
            jsonLength = (int) headerLength;
        }
        Fields fields = new Fields();
        int end;
        try (JsonParser p = WireJson.FACTORY.createParser(body, 0, jsonLength)) {
            readRequest(p, fields);
            end = (int) p.currentLocation().getByteOffset();
        } catch (JacksonException e) {
            throw WireJson.malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reachable for a byte array
        }
        checkNothingAfter(body, end, jsonLength, fields);
        return assemble(fields, body, jsonLength, headerLength >= 0);
    }

    /** Only white space may follow the request object in the JSON part. */
    private static void checkNothingAfter(byte[] body, int end, int jsonLength, Fields f) {
        for (int i = end; i < jsonLength; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                if (f.binarySize >= 0) {
                    throw new ProtocolException("inputs[0].parameters.binary_data_size: binary data needs the "
                            + "Inference-Header-Content-Length header (the length of the JSON before it)");
                }
                throw new ProtocolException("malformed JSON: content after the request object, at byte " + i);
            }
        }
    }

    /** What the request said, before the checks against the model. */
    private static final class Fields {
        String id;
        boolean outputBinary;
        int inputCount;
        String name;
        int[] shape;
        DataType datatype;
        long binarySize = -1;
        TokenBuffer pendingData; // data seen before the datatype: replayed once the datatype is known
        float[] data;
        int dataCount = -1;
    }

    private void readRequest(JsonParser p, Fields f) throws IOException {
        expect(p, p.nextToken(), JsonToken.START_OBJECT, "the request");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> {
                    expect(p, value, JsonToken.VALUE_STRING, "id");
                    f.id = p.getText();
                    if (f.id.isEmpty() || f.id.length() > MAX_ID_LENGTH) {
                        throw new ProtocolException("id: expected 1 to " + MAX_ID_LENGTH + " characters, found "
                                + f.id.length());
                    }
                }
                case "parameters" -> readRequestParameters(p, f);
                case "inputs" -> readInputs(p, f);
                case "outputs" -> readOutputs(p, f);
                default -> p.skipChildren();
            }
        }
    }

    private static void readRequestParameters(JsonParser p, Fields f) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, "parameters");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("binary_data_output")) {
                f.outputBinary = bool(p, value, "parameters.binary_data_output");
            } else {
                p.skipChildren();
            }
        }
    }

    private void readInputs(JsonParser p, Fields f) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "inputs");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (f.inputCount == 1) {
                throw new ProtocolException("inputs: the model takes one input, '" + input.name()
                        + "', found a second one (inputs[1])");
            }
            expect(p, p.currentToken(), JsonToken.START_OBJECT, "inputs[0]");
            readInput(p, f);
            f.inputCount++;
        }
    }

    private void readInput(JsonParser p, Fields f) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> {
                    expect(p, value, JsonToken.VALUE_STRING, "inputs[0].name");
                    f.name = p.getText();
                }
                case "shape" -> f.shape = readShape(p, "inputs[0].shape");
                case "datatype" -> {
                    expect(p, value, JsonToken.VALUE_STRING, "inputs[0].datatype");
                    f.datatype = DataType.parse(p.getText(), "inputs[0].datatype");
                    if (f.pendingData != null) {
                        try (JsonParser replay = f.pendingData.asParser()) {
                            replay.nextToken();
                            readData(replay, f);
                        }
                        f.pendingData = null;
                    }
                }
                case "parameters" -> readInputParameters(p, f);
                case "data" -> {
                    if (f.datatype == null) {
                        f.pendingData = new TokenBuffer(p);
                        f.pendingData.copyCurrentStructure(p);
                    } else {
                        readData(p, f);
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private static void readInputParameters(JsonParser p, Fields f) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, "inputs[0].parameters");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("binary_data_size")) {
                if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        || p.getLongValue() < 0) {
                    throw new ProtocolException("inputs[0].parameters.binary_data_size: expected a byte count, found "
                            + WireJson.describe(p));
                }
                f.binarySize = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
    }

    private void readOutputs(JsonParser p, Fields f) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "outputs");
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String where = "outputs[" + index + "]";
            expect(p, p.currentToken(), JsonToken.START_OBJECT, where);
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("name")) {
                    expect(p, value, JsonToken.VALUE_STRING, where + ".name");
                    name = p.getText();
                } else if (field.equals("parameters")) {
                    readOutputParameters(p, f, where);
                } else {
                    p.skipChildren();
                }
            }
            if (name == null) {
                throw new ProtocolException(where + ": expected a name ('" + output.name() + "'), found none");
            }
            if (!name.equals(output.name())) {
                throw new ProtocolException(where + ".name: the model's output is '" + output.name() + "', found '"
                        + name + "'");
            }
            index++;
        }
    }

    private static void readOutputParameters(JsonParser p, Fields f, String where) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, where + ".parameters");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("binary_data")) {
                f.outputBinary |= bool(p, value, where + ".parameters.binary_data");
            } else if (name.equals("classification")) {
                throw new ProtocolException(where + ".parameters.classification: the classification extension is "
                        + "not supported; request the raw output and take its largest entries");
            } else {
                p.skipChildren();
            }
        }
    }

    private static int[] readShape(JsonParser p, String where) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, where);
        int[] dims = new int[4];
        int rank = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                    || p.getIntValue() < 0) {
                throw new ProtocolException(where + "[" + rank + "]: expected a dimension (a whole number from 0 to "
                        + Integer.MAX_VALUE + "), found " + WireJson.describe(p));
            }
            if (rank == MAX_RANK) {
                throw new ProtocolException(where + ": expected at most " + MAX_RANK + " dimensions");
            }
            if (rank == dims.length) {
                dims = Arrays.copyOf(dims, rank * 2);
            }
            dims[rank++] = p.getIntValue();
        }
        return Arrays.copyOf(dims, rank);
    }

    /** Reads {@code data} (the parser at its first token) into {@code f.data}, converting each value to FP32. */
    private void readData(JsonParser p, Fields f) throws IOException {
        if (f.datatype == DataType.FP16) {
            throw new ProtocolException("inputs[0].data: JSON has no 16-bit floats; send FP16 as binary data (the "
                    + "binary tensor extension) or send FP32");
        }
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "inputs[0].data");
        float[] values = new float[Math.max(16, expectedCount(f.shape))];
        int count = 0;
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                if (count == values.length) {
                    values = Arrays.copyOf(values, count * 2);
                }
                values[count] = convert(p, f.datatype, count);
                count++;
            } else {
                throw new ProtocolException("inputs[0].data[" + count + "]: expected a number (" + f.datatype
                        + "), found " + WireJson.describe(p));
            }
        }
        f.data = values;
        f.dataCount = count;
    }

    /** Elements {@code shape} holds when that is a sane preallocation, else 0 (the array grows as it fills). */
    private static int expectedCount(int[] shape) {
        if (shape == null) {
            return 0;
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > 1 << 20) {
                return 0; // a large claim is checked against the data, not trusted for an allocation
            }
        }
        return (int) n;
    }

    private static float convert(JsonParser p, DataType type, int index) throws IOException {
        if (!type.isInteger()) {
            float v = p.getFloatValue();
            if (Float.isInfinite(v)) {
                throw new ProtocolException("inputs[0].data[" + index + "]: " + p.getText() + " is outside the range "
                        + "of FP32, which the model computes in");
            }
            return v;
        }
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new ProtocolException("inputs[0].data[" + index + "]: expected a whole number (" + type + "), found "
                    + p.getText());
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            BigInteger big = p.getBigIntegerValue();
            if (type == DataType.UINT64 && big.signum() >= 0 && big.bitLength() <= 64) {
                return big.floatValue();
            }
        } else {
            long v = p.getLongValue();
            if (v >= type.min() && v <= type.max()) {
                return v;
            }
        }
        throw new ProtocolException("inputs[0].data[" + index + "]: " + p.getText() + " is outside the range of "
                + type);
    }

    private InferRequest assemble(Fields f, byte[] body, int jsonLength, boolean hasHeaderLength) {
        if (f.inputCount == 0) {
            throw new ProtocolException("inputs: expected one input, '" + input.name() + "', found none");
        }
        if (f.name == null) {
            throw new ProtocolException("inputs[0]: expected a name ('" + input.name() + "'), found none");
        }
        if (!f.name.equals(input.name())) {
            throw new ProtocolException("inputs[0].name: the model's input is '" + input.name() + "', found '"
                    + f.name + "'");
        }
        if (f.datatype == null) {
            throw new ProtocolException("inputs[0]: expected a datatype (" + DataType.supported() + "), found none");
        }
        if (f.shape == null) {
            throw new ProtocolException("inputs[0]: expected a shape " + input.shapeText() + ", found none");
        }
        int count = checkShape(f.shape);
        float[] values;
        int binaryBytes = body.length - jsonLength;
        if (f.binarySize >= 0) {
            if (f.data != null) {
                throw new ProtocolException("inputs[0]: expected either data or parameters.binary_data_size, found "
                        + "both");
            }
            if (!hasHeaderLength) {
                throw new ProtocolException("inputs[0].parameters.binary_data_size: binary data needs the "
                        + "Inference-Header-Content-Length header (the length of the JSON before it)");
            }
            long expected = (long) count * f.datatype.bytes();
            if (f.binarySize != expected) {
                throw new ProtocolException("inputs[0].parameters.binary_data_size: shape "
                        + Arrays.toString(f.shape) + " of " + f.datatype + " is " + expected + " bytes, found "
                        + f.binarySize);
            }
            if (binaryBytes != f.binarySize) {
                throw new ProtocolException("body: expected " + f.binarySize + " bytes of binary data after the "
                        + jsonLength + "-byte JSON header, found " + binaryBytes);
            }
            values = new float[count];
            f.datatype.decode(ByteBuffer.wrap(body, jsonLength, binaryBytes).order(ByteOrder.LITTLE_ENDIAN), values,
                    count);
        } else {
            if (f.data == null) {
                throw new ProtocolException("inputs[0]: expected data or parameters.binary_data_size, found neither");
            }
            if (f.dataCount != count) {
                throw new ProtocolException("inputs[0].data: shape " + Arrays.toString(f.shape) + " holds " + count
                        + " values, found " + f.dataCount);
            }
            if (binaryBytes != 0) {
                throw new ProtocolException("body: expected nothing after the " + jsonLength + "-byte JSON header "
                        + "(no input is binary), found " + binaryBytes + " bytes");
            }
            values = f.data.length == count ? f.data : Arrays.copyOf(f.data, count);
        }
        return new InferRequest(f.id, f.shape, values, f.outputBinary);
    }

    /** The number of values a shape holds, once it is checked against the model's input. */
    private int checkShape(int[] shape) {
        int[] expected = input.shape();
        boolean matches = shape.length == expected.length && shape[0] >= 1;
        for (int i = 1; matches && i < shape.length; i++) {
            matches = shape[i] == expected[i];
        }
        if (!matches) {
            String why = shape.length == expected.length && shape.length > 0 && shape[0] == 0
                    ? " (no samples)" : "";
            throw new ProtocolException("inputs[0].shape: expected " + input.shapeText() + " with N >= 1, found "
                    + Arrays.toString(shape) + why);
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new ProtocolException("inputs[0].shape: " + Arrays.toString(shape) + " holds more values than "
                        + "one request may send");
            }
        }
        return (int) n;
    }

    private static void expect(JsonParser p, JsonToken found, JsonToken expected, String where) {
        if (found != expected) {
            throw new ProtocolException(where + ": expected " + words(expected) + ", found " + WireJson.describe(p));
        }
    }

    private static boolean bool(JsonParser p, JsonToken value, String where) {
        if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
            return value == JsonToken.VALUE_TRUE;
        }
        throw new ProtocolException(where + ": expected true or false, found " + WireJson.describe(p));
    }

    private static String words(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            default -> t.name();
        };
    }
}
