package dev.nabla.inference.onnx;

import dev.nabla.inference.onnx.OnnxFields.Attribute;

import java.nio.charset.StandardCharsets;

/** A node attribute of one of the kinds the exporter uses: an integer, a float, a string or a list of integers. */
record OnnxAttribute(String name, int type, long i, float f, String s, long[] ints) {

    static OnnxAttribute integer(String name, long value) {
        return new OnnxAttribute(name, Attribute.TYPE_INT, value, 0, null, null);
    }

    static OnnxAttribute real(String name, float value) {
        return new OnnxAttribute(name, Attribute.TYPE_FLOAT, 0, value, null, null);
    }

    static OnnxAttribute string(String name, String value) {
        return new OnnxAttribute(name, Attribute.TYPE_STRING, 0, 0, value, null);
    }

    static OnnxAttribute ints(String name, int... values) {
        long[] wide = new long[values.length];
        for (int k = 0; k < values.length; k++) {
            wide[k] = values[k];
        }
        return new OnnxAttribute(name, Attribute.TYPE_INTS, 0, 0, null, wide);
    }

    /** The {@code AttributeProto}: name, type, then the one value field the type names. */
    ProtoWriter encode() {
        ProtoWriter a = new ProtoWriter().string(Attribute.NAME, name).int32(Attribute.TYPE, type);
        switch (type) {
            case Attribute.TYPE_INT -> a.int64(Attribute.I, i);
            case Attribute.TYPE_FLOAT -> a.float32(Attribute.F, f);
            case Attribute.TYPE_STRING -> a.bytes(Attribute.S, s.getBytes(StandardCharsets.UTF_8));
            case Attribute.TYPE_INTS -> {
                for (long v : ints) {
                    a.int64(Attribute.INTS, v);
                }
            }
            default -> throw new IllegalStateException("attribute type " + type);
        }
        return a;
    }
}
