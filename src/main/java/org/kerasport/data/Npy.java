package org.kerasport.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.kerasport.Limit;
import org.kerasport.UserInputException;
import org.kerasport.FileAccessException;
import org.kerasport.BadDataException;

/** Reads NumPy {@code .npy} arrays and {@code .npz} archives (numeric dtypes, C order) into float32 {@link NdArray}s. */
public final class Npy {
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    /** Byte order, kind and width of the dtypes read: float16/32/64, (u)int8..64, bool. */
    private static final Pattern SUPPORTED_DESCR = Pattern.compile("[<>|=](f[248]|[iu][1248]|b1)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static NdArray read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new FileAccessException(file + ": no such file");
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** All arrays of an {@code .npz}, keyed by name (without {@code .npy}), in archive order. */
    public static Map<String, NdArray> readNpz(Path file) {
        return readNpz(file, key -> true);
    }

    /**
     * The arrays of an {@code .npz} whose names {@code wanted} accepts, keyed by name, in archive order; the others
     * are not decoded (they may have any dtype).
     */
    public static Map<String, NdArray> readNpz(Path file, java.util.function.Predicate<String> wanted) {
        Map<String, NdArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var en = zip.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                if (!e.getName().endsWith(".npy")) continue;
                String key = e.getName().substring(0, e.getName().length() - 4);
                if (!wanted.test(key)) continue;
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(key, read(in, file + "[" + key + "]"));
                }
            }
        } catch (NoSuchFileException e) {
            throw new FileAccessException(file + ": no such file");
        } catch (IOException e) {
            throw new BadDataException(file + ": not a readable .npz archive: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) { // java.util.zip: an entry name that is not valid UTF-8 (found by fuzzing)
            throw new BadDataException(file + ": not a readable .npz archive: an entry name is not valid UTF-8 (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** The array names of an {@code .npz} (without {@code .npy}), in archive order, without reading the arrays. */
    public static java.util.List<String> npzKeys(Path file) {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var en = zip.entries();
            while (en.hasMoreElements()) {
                String name = en.nextElement().getName();
                if (name.endsWith(".npy")) out.add(name.substring(0, name.length() - 4));
            }
        } catch (NoSuchFileException e) {
            throw new FileAccessException(file + ": no such file");
        } catch (IOException e) {
            throw new BadDataException(file + ": not a readable .npz archive: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) { // java.util.zip: an entry name that is not valid UTF-8 (found by fuzzing)
            throw new BadDataException(file + ": not a readable .npz archive: an entry name is not valid UTF-8 (" + e.getMessage() + ")", e);
        }
        return out;
    }

    static NdArray read(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || magic[1] != 'N' || magic[2] != 'U')
            throw bad(where, "not a .npy array (no \\x93NUMPY header)");
        int major = magic[6];
        byte[] lenBytes = in.readNBytes(major == 1 ? 2 : 4);
        ByteBuffer lb = ByteBuffer.wrap(Arrays4.pad(lenBytes, 4)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = lb.getInt();
        if (headerLen < 0 || headerLen > 1 << 20) throw bad(where, "header length " + headerLen + " out of range");
        String header = new String(in.readNBytes(headerLen), StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw bad(where, "unreadable header: " + header.trim());
        if (f.group(1).equals("True")) throw bad(where, "Fortran-order arrays are not supported: save with np.ascontiguousarray");
        String descr = d.group(1);
        String[] dims = s.group(1).split(",");
        long[] shape;
        try {
            shape = java.util.Arrays.stream(dims).map(String::trim).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) { // found by fuzzing (ReaderFuzzTest.npy): a corrupt header
            throw bad(where, "unreadable shape '(" + s.group(1) + ")' in the header: expected whole numbers");
        }
        long n = 1;
        for (long x : shape) {
            if (x < 0) throw bad(where, "negative dimension");
            n *= x;
            if (n > MAX_ELEMENTS) throw bad(where, "more than " + MAX_ELEMENTS + " elements");
        }
        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (!SUPPORTED_DESCR.matcher(descr).matches()) throw bad(where, "dtype " + descr + " is not numeric (or not supported)");
        String t = descr.substring(1);
        int width = Integer.parseInt(t.substring(1));
        if (Limit.DATA_BYTES.exceededBy(n * 4)) // the float32 copy, before the raw bytes or it are allocated
            throw bad(where, Limit.DATA_BYTES.refusal("an array of shape " + java.util.Arrays.toString(shape) + " as float32", n * 4));
        byte[] raw = readFully(in, n * width, where);
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        float[] out = new float[(int) n];
        String dtype;
        switch (t.charAt(0)) {
            case 'f' -> {
                dtype = "float" + width * 8;
                if (width == 4) b.asFloatBuffer().get(out); // in bulk: the common case, and tens of megabytes
                else for (int i = 0; i < n; i++) out[i] = width == 8 ? (float) b.getDouble() : org.kerasport.util.Half.toFloat(b.getShort());
            }
            case 'i' -> {
                dtype = "int" + width * 8;
                for (int i = 0; i < n; i++) out[i] = width == 1 ? b.get() : width == 2 ? b.getShort() : width == 4 ? b.getInt() : b.getLong();
            }
            case 'u' -> {
                dtype = "uint" + width * 8;
                for (int i = 0; i < n; i++) out[i] = width == 1 ? b.get() & 0xff : width == 2 ? b.getShort() & 0xffff
                        : width == 4 ? b.getInt() & 0xffffffffL : b.getLong();
            }
            case 'b' -> {
                dtype = "bool";
                for (int i = 0; i < n; i++) out[i] = b.get() != 0 ? 1f : 0f;
            }
            default -> throw bad(where, "dtype " + descr + " is not numeric");
        }
        return new NdArray(shape, out, dtype);
    }

    private static final Pattern STRING_DESCR = Pattern.compile("([<>|=])([US])(\\d+)");

    /**
     * Reads a string array: an {@code .npy} file ({@code key} null) or the member {@code key} of an {@code .npz}.
     * Unicode ({@code '<U..'}, what {@code np.array(["a", "b"])} makes) and bytes ({@code '|S..'}, as UTF-8) are
     * read; object arrays ({@code '|O'}) hold pickled Python objects and are refused.
     */
    public static StringArray readStrings(Path file, String key) {
        if (key == null) {
            try (InputStream in = Files.newInputStream(file)) {
                return readStrings(in, file.toString());
            } catch (NoSuchFileException e) {
                throw new FileAccessException(file + ": no such file");
            } catch (IOException e) {
                throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry(key + ".npy");
            if (e == null) throw new BadDataException(file + ": no array '" + key + "'");
            try (InputStream in = zip.getInputStream(e)) {
                return readStrings(in, file + "[" + key + "]");
            }
        } catch (NoSuchFileException e) {
            throw new FileAccessException(file + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw new BadDataException(file + ": not a readable .npz archive: " + e.getMessage(), e);
        }
    }

    static StringArray readStrings(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || magic[1] != 'N' || magic[2] != 'U')
            throw bad(where, "not a .npy array (no \\x93NUMPY header)");
        int major = magic[6];
        byte[] lenBytes = in.readNBytes(major == 1 ? 2 : 4);
        int headerLen = ByteBuffer.wrap(Arrays4.pad(lenBytes, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (headerLen < 0 || headerLen > 1 << 20) throw bad(where, "header length " + headerLen + " out of range");
        String header = new String(in.readNBytes(headerLen), StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw bad(where, "unreadable header: " + header.trim());
        if (f.group(1).equals("True")) throw bad(where, "Fortran-order arrays are not supported: save with np.ascontiguousarray");
        String descr = d.group(1);
        if (descr.endsWith("O"))
            throw bad(where, "an object array (dtype=object) holds pickled Python objects, which Kerasport does not"
                    + " unpickle; save the strings as a unicode array: np.save(path, np.asarray(x, dtype=str))");
        Matcher t = STRING_DESCR.matcher(descr);
        if (!t.matches()) throw bad(where, "dtype " + descr + " is not a string dtype; this input takes strings"
                + " (a unicode array, np.asarray(x, dtype=str))");
        long[] shape;
        try {
            shape = java.util.Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw bad(where, "unreadable shape '(" + s.group(1) + ")' in the header: expected whole numbers");
        }
        boolean unicode = t.group(2).equals("U");
        long chars = Long.parseLong(t.group(3));
        long width = unicode ? chars * 4 : chars;
        long n = 1;
        for (long x : shape) {
            if (x < 0) throw bad(where, "negative dimension");
            n *= x;
            if (n > MAX_ELEMENTS) throw bad(where, "more than " + MAX_ELEMENTS + " elements");
        }
        if (Limit.DATA_BYTES.exceededBy(n * width))
            throw bad(where, Limit.DATA_BYTES.refusal("a string array of shape " + java.util.Arrays.toString(shape), n * width));
        byte[] raw = readFully(in, n * width, where);
        ByteBuffer b = ByteBuffer.wrap(raw).order(t.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        String[] out = new String[(int) n];
        for (int i = 0; i < n; i++) {
            if (unicode) {
                StringBuilder sb = new StringBuilder();
                int end = 0;
                int[] cps = new int[(int) chars];
                for (int k = 0; k < chars; k++) {
                    cps[k] = b.getInt();
                    if (cps[k] != 0) end = k + 1;
                }
                for (int k = 0; k < end; k++) {
                    if (!Character.isValidCodePoint(cps[k])) throw bad(where, "element " + i + " holds " + cps[k] + ", not a Unicode code point");
                    sb.appendCodePoint(cps[k]);
                }
                out[i] = sb.toString();
            } else {
                byte[] bytes = new byte[(int) chars];
                b.get(bytes);
                int end = bytes.length;
                while (end > 0 && bytes[end - 1] == 0) end--;
                out[i] = new String(bytes, 0, end, StandardCharsets.UTF_8);
            }
        }
        return new StringArray(shape, out);
    }

    /** Writes float32 arrays as an {@code .npz} (uncompressed, like numpy.savez), keyed by name, in order. */
    public static void writeNpz(java.io.OutputStream os, Map<String, NdArray> arrays) throws IOException {
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(os)) {
            for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
                byte[] npy = npyBytes(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(npy.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(npy);
                entry.setCrc(crc.getValue());
                z.putNextEntry(entry);
                z.write(npy);
                z.closeEntry();
            }
        }
    }

    /** One float32 array in .npy format 1.0, C order. */
    public static byte[] npyBytes(NdArray a) {
        StringBuilder shape = new StringBuilder("(");
        for (long d : a.shape()) shape.append(d).append(", ");
        if (a.shape().length > 1) shape.setLength(shape.length() - 2);
        else if (a.shape().length == 1) shape.setLength(shape.length() - 1);
        shape.append(')');
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + a.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float f : a.data()) b.putFloat(f);
        return b.array();
    }

    private static byte[] readFully(InputStream in, long bytes, String where) throws IOException {
        if (bytes > Integer.MAX_VALUE - 8) throw bad(where, bytes + " bytes of data: more than one array can hold");
        // readNBytes grows its buffer as data arrives (a header's claimed size allocates nothing by itself)
        byte[] out = in.readNBytes((int) bytes);
        if (out.length < bytes) throw bad(where, "truncated: " + (bytes - out.length) + " bytes of data missing");
        return out;
    }

    private static UserInputException bad(String where, String msg) {
        return new BadDataException(where + ": " + msg);
    }

    private static final class Arrays4 {
        static byte[] pad(byte[] b, int n) {
            return java.util.Arrays.copyOf(b, n);
        }
    }
}
