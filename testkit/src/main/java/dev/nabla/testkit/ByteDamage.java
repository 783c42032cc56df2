package dev.nabla.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Damage to a safetensors file's bytes as a disk, a network or a careless edit deals it, nothing repaired: what the
 * seeded fuzz tests of checkpoints and model files start from.
 */
public final class ByteDamage {
    /** The damaged bytes and what was done, for failure reports. */
    public record Damaged(byte[] bytes, String description) {
    }

    private ByteDamage() {
    }

    /**
     * One damage of {@code file}: 1 to 4 bit flips, a byte set, truncation, bytes inserted, deleted or duplicated,
     * or the 8-byte header length changed (nearby, random or a boundary value). Positions are half the time in the
     * header, below {@code dataStart}, where the parser is, else anywhere.
     */
    public static Damaged any(byte[] file, int dataStart, Random random) {
        byte[] b = file.clone();
        int n = file.length;
        switch (random.nextInt(8)) {
            case 0, 1 -> {
                int flips = 1 + random.nextInt(random.nextBoolean() ? 1 : 4);
                StringBuilder where = new StringBuilder("bit flips at");
                for (int i = 0; i < flips; i++) {
                    int at = position(random, n, dataStart);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                    where.append(' ').append(at);
                }
                return new Damaged(b, where.toString());
            }
            case 2 -> {
                int at = position(random, n, dataStart);
                b[at] = (byte) random.nextInt(256);
                return new Damaged(b, "byte " + at + " set to " + (b[at] & 0xff));
            }
            case 3 -> {
                int length = random.nextInt(n);
                return new Damaged(Arrays.copyOf(file, length), "truncated to " + length + " bytes");
            }
            case 4 -> {
                int at = position(random, n + 1, dataStart);
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                return new Damaged(splice(file, at, 0, extra), extra.length + " bytes inserted at " + at);
            }
            case 5 -> {
                int at = position(random, n, dataStart);
                int count = Math.min(1 + random.nextInt(16), n - at);
                return new Damaged(splice(file, at, count, new byte[0]), count + " bytes deleted at " + at);
            }
            case 6 -> {
                int at = position(random, n, dataStart);
                int count = Math.min(1 + random.nextInt(64), n - at);
                return new Damaged(splice(file, at, 0, Arrays.copyOfRange(file, at, at + count)),
                        count + " bytes duplicated at " + at);
            }
            default -> {
                ByteBuffer prefix = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                long length = prefix.getLong(0);
                long changed = switch (random.nextInt(4)) {
                    case 0 -> length + random.nextInt(201) - 100;
                    case 1 -> random.nextLong();
                    case 2 -> random.nextInt(n + 64);
                    default -> new long[]{0, 1, 2, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE,
                            1L << 32, 100L << 20, (100L << 20) + 1}[random.nextInt(10)];
                };
                prefix.putLong(0, changed);
                return new Damaged(b, "header length " + length + " -> " + changed);
            }
        }
    }

    /** Half the time in the header (where the parser is), else anywhere below {@code limit}. */
    private static int position(Random random, int limit, int dataStart) {
        return random.nextBoolean() ? random.nextInt(Math.min(limit, dataStart)) : random.nextInt(limit);
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
