package org.kerasport.format.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The start of an HDF5 file's superblock, read in pure Java: where the format signature
 * {@code \x89HDF\r\n\x1a\n} is (offset 0, 512, 1024, 2048, ... as HDF5 searches, since a user block may come
 * first) and the byte sizes of file addresses and lengths. HDF5 validates the rest when it opens the file.
 *
 * @param offset     where the signature (and superblock) starts
 * @param version    the superblock version (0 to 3)
 * @param offsetSize bytes per file address
 * @param lengthSize bytes per length field
 * @param baseAddress the absolute file position that stored addresses are relative to
 */
record Hdf5Superblock(long offset, int version, int offsetSize, int lengthSize, long baseAddress) {
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** The superblock of the file, or null if no HDF5 signature is found. */
    static Hdf5Superblock read(FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer buf = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        for (long offset = 0; offset + SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
            buf.clear();
            readFully(ch, buf, offset);
            if (Arrays.equals(Arrays.copyOf(buf.array(), SIGNATURE.length), SIGNATURE)) {
                int version = buf.position() > 8 ? buf.get(8) & 0xff : -1;
                boolean old = version == 0 || version == 1;
                int offsets = buf.position() > 14 ? buf.get(old ? 13 : 9) & 0xff : -1;
                int lengths = buf.position() > 14 ? buf.get(old ? 14 : 10) & 0xff : -1;
                int baseAt = version == 0 ? 24 : version == 1 ? 28 : 12;
                long base = offsets == 8 && buf.position() >= baseAt + 8 ? buf.getLong(baseAt)
                        : offsets == 4 && buf.position() >= baseAt + 4 ? buf.getInt(baseAt) & 0xffffffffL : 0;
                return new Hdf5Superblock(offset, version, offsets, lengths, base);
            }
        }
        return null;
    }

    /** Fills {@code buf} from {@code position} or up to the end of the file. */
    static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) return;
        }
    }
}
