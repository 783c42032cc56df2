package dev.nabla.inference.onnx;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.onnx.OnnxFields.Dimension;
import dev.nabla.inference.onnx.OnnxFields.Shape;
import dev.nabla.inference.onnx.OnnxFields.Type;
import dev.nabla.inference.onnx.OnnxFields.ValueInfo;
import dev.nabla.io.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** ONNX element types, stored tensors ({@code TensorProto}) and typed value declarations ({@code ValueInfoProto}). */
final class OnnxTensors {
    /** The name graph inputs and outputs give the batch size. */
    static final String BATCH = "N";

    private OnnxTensors() {
    }

    /** The {@code TensorProto.DataType} of a Nabla dtype. */
    static int elemType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> OnnxFields.Tensor.FLOAT;
            case FLOAT64 -> OnnxFields.Tensor.DOUBLE;
            case INT64 -> OnnxFields.Tensor.INT64;
            case INT32 -> OnnxFields.Tensor.INT32;
            case INT8 -> OnnxFields.Tensor.INT8;
            case BFLOAT16 -> OnnxFields.Tensor.BFLOAT16;
            case FLOAT16 -> OnnxFields.Tensor.FLOAT16;
            case BOOL -> OnnxFields.Tensor.BOOL;
        };
    }

    /** A named tensor with the elements of {@code value} as raw little-endian data. */
    static ProtoWriter tensor(String name, Tensor value) {
        return tensor(name, value.dtype(), value.shape(), rawData(value));
    }

    /** A named 1-D INT64 tensor (shape, axes and index operands). */
    static ProtoWriter int64s(String name, long... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        return tensor(name, DType.INT64, new int[]{values.length}, buf.array());
    }

    /** A named 0-d tensor holding {@code value} converted to {@code dtype} as Nabla's {@code Tensor.full} does. */
    static ProtoWriter scalar(String name, DType dtype, double value) {
        ByteBuffer buf = ByteBuffer.allocate(dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FLOAT32 -> buf.putFloat((float) value);
            case FLOAT64 -> buf.putDouble(value);
            case INT64 -> buf.putLong((long) value);
            case INT32 -> buf.putInt((int) value);
            case INT8 -> buf.put((byte) value);
            case BFLOAT16, FLOAT16 -> buf.putShort(dev.nabla.HalfFloats.fromFloat(dtype, (float) value));
            case BOOL -> buf.put((byte) (value != 0 ? 1 : 0));
        }
        return tensor(name, dtype, new int[0], buf.array());
    }

    private static ProtoWriter tensor(String name, DType dtype, int[] shape, byte[] raw) {
        ProtoWriter t = new ProtoWriter();
        for (int d : shape) {
            t.int64(OnnxFields.Tensor.DIMS, d);
        }
        return t.int32(OnnxFields.Tensor.DATA_TYPE, elemType(dtype))
                .string(OnnxFields.Tensor.NAME, name)
                .bytes(OnnxFields.Tensor.RAW_DATA, raw);
    }

    /**
     * The elements in row-major order, little-endian, one byte (0 or 1) per BOOL as ONNX's raw_data requires. The
     * caller has checked that the model, and so this tensor, stays below protobuf's 2 GiB limit.
     */
    static byte[] rawData(Tensor value) {
        return TensorData.encode(value);
    }

    /**
     * A graph input or output declaration: element type and shape. A dimension of -1 (the batch size) is the
     * symbolic dimension {@value #BATCH}; a multiple of it (-k, k > 1) is left unnamed, since ONNX shapes cannot say
     * "k times N"; other dimensions are fixed.
     */
    static ProtoWriter valueInfo(String name, TensorType type) {
        ProtoWriter shape = new ProtoWriter();
        for (int d : type.shape()) {
            ProtoWriter dim = new ProtoWriter();
            if (d == -1) {
                dim.string(Dimension.DIM_PARAM, BATCH);
            } else if (d >= 0) {
                dim.int64(Dimension.DIM_VALUE, d);
            }
            shape.message(Shape.DIM, dim);
        }
        ProtoWriter tensorType = new ProtoWriter()
                .int32(OnnxFields.TensorType.ELEM_TYPE, elemType(type.dtype()))
                .message(OnnxFields.TensorType.SHAPE, shape);
        return new ProtoWriter()
                .string(ValueInfo.NAME, name)
                .message(ValueInfo.TYPE, new ProtoWriter().message(Type.TENSOR_TYPE, tensorType));
    }
}
