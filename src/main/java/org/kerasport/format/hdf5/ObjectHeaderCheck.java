package org.kerasport.format.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

import org.kerasport.MalformedModelException;

/**
 * Validates, in pure Java, the attribute messages of a version-1 object header (what h5py writes by default)
 * before HDF5 1.12.1 decodes them.
 *
 * <p>Two crash classes found by fuzzing are closed here. (1) An attribute message whose name, datatype or
 * dataspace sizes are inconsistent sends HDF5's attribute decoder into an error path that crashes
 * ({@code H5A__close}, SIGBUS/SIGSEGV). (2) A variable-length value is stored as (length, global heap collection,
 * object index); {@code H5HG_read} indexes its object table with the stored index unchecked (SIGSEGV for a corrupt
 * index) and copies the heap object's full size into a buffer sized by the stored length. So every attribute
 * message is decoded here as HDF5 would decode it, and every variable-length reference must name an object of a
 * collection validated by {@link GlobalHeaps} whose size equals the stored length.
 *
 * <p>Version-2 object headers ({@code "OHDR"}) are skipped: every chunk carries a checksum that HDF5 verifies, so
 * corruption is detected there (a deliberately crafted file with valid checksums is not covered). Attribute
 * datatypes that cannot be validated here (compound, array, reference, shared/committed types, nested
 * variable-length) are refused: Keras never writes them.
 */
final class ObjectHeaderCheck {
    private static final int MAX_CHUNKS = 4096;
    private static final long MAX_CHUNK_SIZE = 64L << 20;
    private static final int MSG_ATTRIBUTE = 0x000C;
    private static final int MSG_CONTINUATION = 0x0010;
    private static final int MAX_RANK = 32;

    private final Path file;
    private final FileChannel ch;
    private final Hdf5Superblock sb;
    private final GlobalHeaps heaps;
    private final long fileSize;

    ObjectHeaderCheck(Path file, FileChannel ch, Hdf5Superblock sb, GlobalHeaps heaps) throws IOException {
        this.file = file;
        this.ch = ch;
        this.sb = sb;
        this.heaps = heaps;
        this.fileSize = ch.size();
    }

    /** The datatype facts the check needs. {@code vlenBaseSize} is -1 for non-variable-length types. */
    private record TypeInfo(int typeClass, long size, long vlenBaseSize, int length) {
        boolean isVlen() {
            return vlenBaseSize >= 0;
        }
    }

    /** Validates the header at stored (base-relative) address {@code address}; {@code part} names the object. */
    void verify(long address, String part) throws IOException {
        long at = sb.baseAddress() + address;
        byte[] prefix = read(at, 16);
        if (prefix != null && prefix[0] == 'O' && prefix[1] == 'H' && prefix[2] == 'D' && prefix[3] == 'R') return; // checksummed
        if (prefix == null || prefix[0] != 1) {
            // HDF5 has loaded this header, so it is there: not finding it means this check would be blind
            throw corrupt(part, "no object header at address " + address);
        }
        Deque<long[]> chunks = new ArrayDeque<>();
        chunks.add(new long[] {at + 16, u32(prefix, 8)});
        Set<Long> seen = new HashSet<>();
        while (!chunks.isEmpty()) {
            long[] c = chunks.poll();
            if (!seen.add(c[0]) || seen.size() > MAX_CHUNKS) throw corrupt(part, "object header continuation loop");
            if (c[1] > MAX_CHUNK_SIZE) throw corrupt(part, "implausible object header chunk of " + c[1] + " bytes");
            byte[] chunk = read(c[0], (int) c[1]);
            if (chunk != null) walkMessages(chunk, chunks, part);       // else HDF5 refuses to load the header
        }
    }

    private void walkMessages(byte[] b, Deque<long[]> chunks, String part) {
        int p = 0;
        while (p + 8 <= b.length) {
            int type = u16(b, p);
            int size = u16(b, p + 2);
            int flags = b[p + 4] & 0xff;
            int data = p + 8;
            if (data + size > b.length) throw corrupt(part, "object header message runs past its chunk");
            if (type == MSG_CONTINUATION) {
                if (size < sb.offsetSize() + sb.lengthSize()) throw corrupt(part, "short continuation message");
                chunks.add(new long[] {sb.baseAddress() + uint(b, data, sb.offsetSize()), uint(b, data + sb.offsetSize(), sb.lengthSize())});
            } else if (type == MSG_ATTRIBUTE) {
                if ((flags & 0x02) != 0) throw corrupt(part, "shared attribute messages are not supported");
                verifyAttribute(b, data, data + size, part);
            }
            p = data + size;
        }
    }

    /** Decodes one attribute message as {@code H5O__attr_decode} does and checks its variable-length references. */
    private void verifyAttribute(byte[] b, int off, int end, String part) {
        if (end - off < 9) throw corrupt(part, "truncated attribute message");
        int version = b[off] & 0xff;
        if (version < 1 || version > 3) throw corrupt(part, "attribute message version " + version);
        if (version >= 2 && b[off + 1] != 0) throw corrupt(part, "shared or unknown attribute datatype/dataspace flags " + b[off + 1]);
        int nameSize = u16(b, off + 2);
        int typeSize = u16(b, off + 4);
        int spaceSize = u16(b, off + 6);
        int pos = off + (version == 3 ? 9 : 8);
        if (nameSize < 1 || nameSize > end - pos || b[pos + nameSize - 1] != 0) throw corrupt(part, "corrupt attribute name");
        for (int i = pos; i < pos + nameSize - 1; i++) {
            if (b[i] == 0) throw corrupt(part, "attribute name has a different length than stored");
        }
        String name = new String(b, pos, nameSize - 1, StandardCharsets.UTF_8);
        String what = "attribute '" + name + "'";
        pos += version == 1 ? align8(nameSize) : nameSize;
        if (typeSize > end - pos) throw corrupt(part, what + ": datatype runs past the message");
        TypeInfo type = parseType(b, pos, pos + typeSize, part, what, 0);
        pos += version == 1 ? align8(typeSize) : typeSize;
        if (spaceSize > end - pos) throw corrupt(part, what + ": dataspace runs past the message");
        long count = parseSpace(b, pos, pos + spaceSize, part, what);
        pos += version == 1 ? align8(spaceSize) : spaceSize;
        // HDF5 sizes the data with the declared element size; for variable-length values it is the reference size
        long elementSize = type.size();
        if (type.isVlen() && elementSize != 4 + sb.offsetSize() + 4) {
            throw corrupt(part, what + ": variable-length element size " + elementSize);
        }
        if (pos > end || (count > 0 && count > (end - pos) / elementSize)) {
            throw corrupt(part, what + ": " + count + " values of " + elementSize + " bytes do not fit in the message");
        }
        if (!type.isVlen()) return;
        for (long i = 0; i < count; i++) {
            int ref = pos + (int) (i * elementSize);
            long length = u32(b, ref);
            long heapAddress = uint(b, ref + 4, sb.offsetSize());
            long index = u32(b, ref + 4 + sb.offsetSize());
            if (heapAddress == 0) continue; // HDF5 reads nothing and checks the length against 0 itself
            if (!heaps.hasObject(sb.baseAddress() + heapAddress, index, length * type.vlenBaseSize())) {
                throw corrupt(part, what + ": variable-length value " + i + " refers to global heap object " + index
                        + " at " + heapAddress + " of " + length + " elements, which does not exist or has another size");
            }
        }
    }

    /** Decodes a datatype message within [off, limit) as far as needed; refuses what cannot be validated. */
    private TypeInfo parseType(byte[] b, int off, int limit, String part, String what, int depth) {
        if (limit - off < 8 || depth > 4) throw corrupt(part, what + ": truncated datatype");
        int cls = b[off] & 0x0f;
        int version = (b[off] >>> 4) & 0x0f;
        if (version < 1 || version > 4) throw corrupt(part, what + ": datatype version " + version);
        int bits = (b[off + 1] & 0xff) | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff) << 16;
        long size = u32(b, off + 4);
        int p = off + 8;
        if (size == 0 && cls != 9) throw corrupt(part, what + ": datatype of size 0");
        switch (cls) {
            case 0, 4 -> { // fixed-point, bitfield: bit offset, precision
                need(p, 4, limit, part, what);
                int bitOffset = u16(b, p);
                int precision = u16(b, p + 2);
                if (precision == 0 || bitOffset + precision > size * 8) throw corrupt(part, what + ": bad integer precision");
                return new TypeInfo(cls, size, -1, 12);
            }
            case 1 -> { // floating point
                need(p, 12, limit, part, what);
                int bitOffset = u16(b, p);
                int precision = u16(b, p + 2);
                int epos = b[p + 4] & 0xff, esize = b[p + 5] & 0xff, mpos = b[p + 6] & 0xff, msize = b[p + 7] & 0xff;
                int sign = (bits >>> 8) & 0xff;
                if (precision == 0 || bitOffset + precision > size * 8 || esize == 0 || msize == 0
                        || epos + esize > precision || mpos + msize > precision || sign >= precision) {
                    throw corrupt(part, what + ": bad floating-point layout");
                }
                return new TypeInfo(cls, size, -1, 20);
            }
            case 2 -> { // time
                need(p, 2, limit, part, what);
                return new TypeInfo(cls, size, -1, 10);
            }
            case 3 -> { // fixed-length string
                return new TypeInfo(cls, size, -1, 8);
            }
            case 5 -> { // opaque: NUL-padded tag whose length is in the class bits
                int tag = bits & 0xff;
                if (tag % 8 != 0) throw corrupt(part, what + ": opaque tag length " + tag);
                need(p, tag, limit, part, what);
                return new TypeInfo(cls, size, -1, 8 + tag);
            }
            case 8 -> { // enumeration: base integer type, member names, member values
                TypeInfo base = parseType(b, p, limit, part, what, depth + 1);
                if (base.typeClass() != 0) throw corrupt(part, what + ": enumeration over a non-integer type");
                p += base.length();
                int members = bits & 0xffff;
                for (int i = 0; i < members; i++) {
                    int nul = p;
                    while (nul < limit && b[nul] != 0) nul++;
                    if (nul >= limit) throw corrupt(part, what + ": truncated enumeration member name");
                    int len = nul - p + 1;
                    p += version < 3 ? align8(len) : len;
                }
                if ((long) members * base.size() > limit - p) throw corrupt(part, what + ": truncated enumeration values");
                p += members * (int) base.size();
                return new TypeInfo(cls, size, -1, p - off);
            }
            case 9 -> { // variable-length sequence (0) or string (1) of a base type
                int kind = bits & 0x0f;
                if (kind > 1) throw corrupt(part, what + ": variable-length type kind " + kind);
                TypeInfo base = parseType(b, p, limit, part, what, depth + 1);
                if (base.isVlen() || base.typeClass() > 5) {
                    throw corrupt(part, what + ": nested variable-length or compound data is not supported");
                }
                return new TypeInfo(cls, size, base.size(), 8 + base.length());
            }
            default -> throw corrupt(part, what + ": datatype class " + cls + " (compound, reference or array) is not supported");
        }
    }

    /** Decodes a dataspace message within [off, limit); returns its number of elements. */
    private long parseSpace(byte[] b, int off, int limit, String part, String what) {
        if (limit - off < 4) throw corrupt(part, what + ": truncated dataspace");
        int version = b[off] & 0xff;
        int rank = b[off + 1] & 0xff;
        int flags = b[off + 2] & 0xff;
        int p;
        boolean scalar;
        boolean nothing = false;
        if (version == 1) {
            p = off + 8;
            scalar = rank == 0;
        } else if (version == 2) {
            int kind = b[off + 3] & 0xff;
            if (kind > 2) throw corrupt(part, what + ": dataspace type " + kind);
            p = off + 4;
            scalar = kind == 0;
            nothing = kind == 2;
            if ((kind == 1) == (rank == 0)) throw corrupt(part, what + ": dataspace rank " + rank + " for type " + kind);
        } else {
            throw corrupt(part, what + ": dataspace version " + version);
        }
        if (rank > MAX_RANK) throw corrupt(part, what + ": dataspace rank " + rank);
        int dimsBytes = rank * sb.lengthSize();
        int total = dimsBytes * ((flags & 1) != 0 ? 2 : 1);
        if (p > limit || total > limit - p) throw corrupt(part, what + ": truncated dataspace");
        long count = 1;
        for (int i = 0; i < rank; i++) {
            long d = uint(b, p + i * sb.lengthSize(), sb.lengthSize());
            if (d < 0 || (d != 0 && count > Long.MAX_VALUE / d)) throw corrupt(part, what + ": dataspace too large");
            count *= d;
        }
        return nothing ? 0 : scalar ? 1 : count;
    }

    private void need(int p, int n, int limit, String part, String what) {
        if (n > limit - p) throw corrupt(part, what + ": truncated datatype");
    }

    /** {@code n} bytes at absolute position {@code at}, or null if they are not all in the file. */
    private byte[] read(long at, int n) throws IOException {
        if (at < 0 || n < 0 || at > fileSize - n) return null;
        ByteBuffer buf = ByteBuffer.allocate(n);
        Hdf5Superblock.readFully(ch, buf, at);
        return buf.hasRemaining() ? null : buf.array();
    }

    private MalformedModelException corrupt(String part, String detail) {
        return new MalformedModelException(file, part, "corrupt HDF5 object header: " + detail);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int at) {
        return u16(b, at) | (long) u16(b, at + 2) << 16;
    }

    /** An unsigned little-endian integer of {@code n} (2, 4 or 8) bytes; values above 2^63 come out negative. */
    private static long uint(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xff);
        return v;
    }
}
