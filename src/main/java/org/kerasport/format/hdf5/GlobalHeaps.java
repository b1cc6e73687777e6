package org.kerasport.format.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.kerasport.MalformedModelException;

/**
 * The global heap collections of a file, found and validated in pure Java before HDF5 reads from them.
 *
 * <p>Global heap collections ({@code "GCOL"}) hold the bytes of variable-length strings, e.g. the
 * {@code model_config} and name attributes h5py writes. HDF5 1.12.1 trusts the object sizes stored in a collection:
 * a corrupted size makes {@code H5HG_read} copy far past the collection (SIGSEGV in fuzzing) or overflow the
 * conversion buffer (heap corruption), and a zero-sized free-space object makes its collection parser loop forever.
 * {@link #scan} walks each collection's objects exactly as HDF5 does and refuses the file unless the objects tile
 * the collection. The recorded objects then let {@link ObjectHeaderCheck} verify every variable-length reference.
 *
 * <p>Collections are found by their signature {@code "GCOL"}, version 1 and three zero reserved bytes (what HDF5
 * writes): eight fixed bytes, so raw data matching by chance is practically impossible.
 */
final class GlobalHeaps {
    /** HDF5 never creates smaller collections (H5HG_MINSIZE). */
    static final long MIN_COLLECTION_SIZE = 4096;
    private static final byte[] MAGIC = {'G', 'C', 'O', 'L', 1, 0, 0, 0};
    private static final int SCAN_BLOCK = 8 << 20;

    /** Absolute collection position -> (object index -> object size). */
    private final Map<Long, Map<Integer, Long>> collections = new HashMap<>();

    private GlobalHeaps() {
    }

    /** True if the collection at absolute position {@code at} holds object {@code index} of exactly {@code size} bytes. */
    boolean hasObject(long at, long index, long size) {
        Map<Integer, Long> objects = collections.get(at);
        if (objects == null || index <= 0 || index > 0xffff) return false;
        Long actual = objects.get((int) index);
        return actual != null && actual == size;
    }

    /** Finds and validates every collection of the file; throws {@link MalformedModelException} for a corrupt one. */
    static GlobalHeaps scan(Path file, FileChannel ch, Hdf5Superblock sb) throws IOException {
        int lengthSize = sb.lengthSize();
        if (lengthSize != 2 && lengthSize != 4 && lengthSize != 8) {
            throw new MalformedModelException(file, null, "unsupported HDF5 length size " + lengthSize + " in the superblock");
        }
        GlobalHeaps heaps = new GlobalHeaps();
        long fileSize = ch.size();
        ByteBuffer block = ByteBuffer.allocate(SCAN_BLOCK + MAGIC.length);
        for (long start = 0; start < fileSize; start += SCAN_BLOCK) {
            block.clear();
            Hdf5Superblock.readFully(ch, block, start);
            int n = block.position();
            byte[] a = block.array();
            for (int i = 0; i + MAGIC.length <= n && i < SCAN_BLOCK; i++) {
                if (a[i] == 'G' && matchesMagic(a, i)) heaps.collections.put(start + i, readCollection(file, ch, start + i, lengthSize, fileSize));
            }
        }
        return heaps;
    }

    private static boolean matchesMagic(byte[] a, int i) {
        for (int k = 1; k < MAGIC.length; k++) {
            if (a[i + k] != MAGIC[k]) return false;
        }
        return true;
    }

    /** Walks one collection's objects as {@code H5HG__cache_heap_deserialize} does, requiring them to tile it. */
    private static Map<Integer, Long> readCollection(Path file, FileChannel ch, long at, int lengthSize, long fileSize)
            throws IOException {
        int headerSize = 8 + lengthSize;        // magic, version, reserved, collection size
        int objectHeaderSize = 8 + lengthSize;  // index, reference count, reserved, object size
        ByteBuffer hdr = ByteBuffer.allocate(8 + lengthSize).order(ByteOrder.LITTLE_ENDIAN);
        Hdf5Superblock.readFully(ch, hdr, at);
        long size = length(hdr, 8, lengthSize);
        if (hdr.position() < headerSize || size < MIN_COLLECTION_SIZE || size > fileSize - at) {
            throw corrupt(file, at, "size " + Long.toUnsignedString(size) + " (file has " + fileSize + " bytes)");
        }
        Map<Integer, Long> objects = new HashMap<>();
        long end = at + size;
        long p = at + headerSize;
        while (p < end) {
            if (p + objectHeaderSize > end) break; // a tail too small for a header is free space
            hdr.clear();
            Hdf5Superblock.readFully(ch, hdr, p);
            int index = hdr.getShort(0) & 0xffff;
            long objectSize = length(hdr, 8, lengthSize);
            long need;
            if (index > 0) {
                need = objectSize < 0 || objectSize > end - p ? -1 : objectHeaderSize + ((objectSize + 7) & ~7L);
            } else {
                need = objectSize < objectHeaderSize ? -1 : objectSize; // free space: its size includes its header
            }
            if (need <= 0 || need > end - p) {
                throw corrupt(file, at, "object " + index + " at offset " + p + " has size " + Long.toUnsignedString(objectSize)
                        + ", beyond the collection end " + end);
            }
            if (index > 0) objects.put(index, objectSize);
            p += need;
        }
        return objects;
    }

    private static long length(ByteBuffer b, int at, int lengthSize) {
        return switch (lengthSize) {
            case 2 -> b.getShort(at) & 0xffffL;
            case 4 -> b.getInt(at) & 0xffffffffL;
            default -> b.getLong(at);
        };
    }

    private static MalformedModelException corrupt(Path file, long at, String detail) {
        return new MalformedModelException(file, null, "corrupt HDF5 global heap collection at offset " + at + ": " + detail);
    }
}
