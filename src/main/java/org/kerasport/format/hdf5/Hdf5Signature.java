package org.kerasport.format.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Finds the HDF5 format signature {@code \x89HDF\r\n\x1a\n} the way HDF5 does: at offset 0, 512, 1024, 2048, ...
 * (a user block of a power-of-two size may precede the superblock). Pure Java, no native call.
 */
final class Hdf5Signature {
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private Hdf5Signature() {
    }

    /** The offset of the superblock (where the signature is), or -1 if the file is not HDF5. */
    static long locate(FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer buf = ByteBuffer.allocate(SIGNATURE.length);
        for (long offset = 0; offset + SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
            buf.clear();
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) return -1;
            }
            if (Arrays.equals(buf.array(), SIGNATURE)) return offset;
        }
        return -1;
    }
}
