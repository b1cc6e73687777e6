package org.kerasport.format.hdf5;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongToIntFunction;

import org.bytedeco.hdf5.H5O_info2_t;
import org.bytedeco.hdf5.H5O_token_t;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.kerasport.KerasportException;
import org.kerasport.MalformedModelException;
import org.kerasport.UserInputException;
import org.kerasport.FileAccessException;

/**
 * An HDF5 file opened read-only (an untrusted model) or created for writing, through the HDF5 C API.
 *
 * <p>Groups and datasets obtained from it stay valid until {@link #close()}, which releases every native handle
 * the file opened. Problems caused by the file's content raise {@link MalformedModelException}; the file being
 * missing or unreadable raises {@link FileAccessException}; native failures while writing
 * raise {@link FileAccessException} as well. All native calls are serialised through one
 * process-wide lock.
 */
public final class Hdf5File implements AutoCloseable {
    /** Slack above the file size for values that need no stored bytes (fill values of unwritten datasets). */
    private static final long READ_SLACK_BYTES = 16L << 20;
    /** Largest plausible compression ratio of a filtered (e.g. deflate) dataset. */
    private static final long MAX_COMPRESSION_RATIO = 1100;

    private final Path path;
    private final boolean writable;
    private final long fileSize;
    private final long fileId;
    /** Read-only files: the open channel and the pure-Java header validation (null when writing). */
    private final FileChannel channel;
    private final Hdf5Superblock superblock;
    private final ObjectHeaderCheck headerCheck;
    /** Every group and dataset id handed out, closed (in reverse order) before the file. */
    private final List<Hid> handles = new ArrayList<>();
    private final Hdf5Group root;
    private boolean closed;

    private Hdf5File(Path path, boolean writable, long fileSize, long fileId, FileChannel channel,
                     Hdf5Superblock superblock, ObjectHeaderCheck headerCheck) {
        this.path = path;
        this.writable = writable;
        this.fileSize = fileSize;
        this.fileId = fileId;
        this.channel = channel;
        this.superblock = superblock;
        this.headerCheck = headerCheck;
        long rootId;
        try (BytePointer slash = new BytePointer("/")) {
            rootId = H5Gopen2(fileId, slash, H5P_DEFAULT);
        }
        if (rootId < 0) {
            KerasportException e = failure("/", "cannot open the root group");
            H5Fclose(fileId);
            closeChannel();
            throw e;
        }
        this.root = new Hdf5Group(this, register(rootId, hdf5::H5Gclose), "/");
    }

    /**
     * Opens an existing file read-only. Pure-Java checks run first: the HDF5 signature (at offset 0, 512, 1024, ...
     * as HDF5 allows; a non-HDF5 file gives "not an HDF5 file" without touching the native library) and the
     * consistency of every global heap collection ({@link GlobalHeaps}, which HDF5 1.12.1 would trust). Each
     * object's attribute messages are validated before first use ({@link ObjectHeaderCheck}).
     *
     * @throws FileAccessException       if the file is missing or cannot be read
     * @throws MalformedModelException if it is not HDF5 or HDF5 cannot open it (truncated, corrupt)
     */
    public static Hdf5File openRead(Path p) {
        if (Files.isDirectory(p)) throw new FileAccessException(p + ": is a directory, not a file");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(p, StandardOpenOption.READ);
            long size = ch.size();
            Hdf5Superblock sb = Hdf5Superblock.read(ch);
            if (sb == null) throw new MalformedModelException(p, null, "not an HDF5 file");
            if (!plausibleFieldSize(sb.offsetSize()) || !plausibleFieldSize(sb.lengthSize())) {
                throw new MalformedModelException(p, null, "unsupported HDF5 superblock (address/length sizes "
                        + sb.offsetSize() + "/" + sb.lengthSize() + ")");
            }
            ObjectHeaderCheck headers = new ObjectHeaderCheck(p, ch, sb, GlobalHeaps.scan(p, ch, sb));
            synchronized (Hdf5Lib.LOCK) {
                Hdf5Lib.ensureInitialized();
                long id = openFile(p, (name, fapl) -> H5Fopen(name, H5F_ACC_RDONLY, fapl),
                        why -> new MalformedModelException(p, null, "HDF5 cannot open the file" + why));
                Hdf5File f = new Hdf5File(p, false, size, id, ch, sb, headers);
                ch = null; // owned by the file now
                return f;
            }
        } catch (IOException e) {
            throw new FileAccessException(p + ": cannot read file: " + describe(e), e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing was read through it that matters
                }
            }
        }
    }

    /**
     * Creates a file for writing, truncating an existing one.
     *
     * @throws FileAccessException  if the file cannot be created
     */
    public static Hdf5File create(Path p) {
        synchronized (Hdf5Lib.LOCK) {
            Hdf5Lib.ensureInitialized();
            long id = openFile(p, (name, fapl) -> H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
                    why -> new FileAccessException(p + ": cannot create HDF5 file" + why));
            return new Hdf5File(p, true, Long.MAX_VALUE, id, null, null, null);
        }
    }

    /** The path this file was opened with. */
    public Path path() {
        return path;
    }

    /** The root group "/". */
    public Hdf5Group root() {
        return root;
    }

    /** Closes every group and dataset handle opened through this file, then the file. Idempotent. */
    @Override
    public void close() {
        synchronized (Hdf5Lib.LOCK) {
            if (closed) return;
            closed = true;
            for (int i = handles.size() - 1; i >= 0; i--) handles.get(i).close();
            handles.clear();
            closeChannel();
            if (H5Fclose(fileId) < 0 && writable) {
                throw new FileAccessException(path + ": cannot finish writing the HDF5 file" + stackSuffix());
            }
        }
    }

    // ---- package-private helpers: the error context of every native call on this file ----

    /** Remembers an object id until the file closes; returns the id. Caller holds the lock. */
    long register(long id, LongToIntFunction closer) {
        handles.add(new Hid(id, closer));
        return id;
    }

    /**
     * Validates an object's attribute messages in pure Java ({@link ObjectHeaderCheck}) before HDF5 decodes any of
     * them; a no-op for files being written. Caller holds the lock.
     */
    void verifyAttributeMessages(long objectId, String part) {
        if (headerCheck == null) return;
        try (Scratch scratch = new Scratch()) {
            H5O_info2_t info = scratch.add(new H5O_info2_t());
            checkStatus(H5Oget_info3(objectId, info, H5O_INFO_BASIC), part, "cannot read the object header of " + part);
            H5O_token_t token = info.token();
            long address = 0;
            for (int i = superblock.offsetSize() - 1; i >= 0; i--) address = (address << 8) | (token.__data(i) & 0xff);
            headerCheck.verify(address, part);
        } catch (IOException e) {
            throw new FileAccessException(path + ": cannot read file: " + describe(e), e);
        }
    }

    /** Fails if the file was closed. Caller holds the lock. */
    void ensureOpen() {
        if (closed) throw new IllegalStateException(path + ": HDF5 file already closed");
    }

    /** Fails unless the file was created for writing (and is still open). Caller holds the lock. */
    void ensureWritable() {
        ensureOpen();
        if (!writable) throw new IllegalStateException(path + ": HDF5 file opened read-only");
    }

    /** The file's size in bytes when opened (Long.MAX_VALUE for a file being written). */
    long fileSize() {
        return fileSize;
    }

    /**
     * The most bytes a stored value may declare before it is refused as corrupt: the file size (plus slack for
     * never-written data), times a maximum compression ratio if the value is filtered. No limit when writing.
     */
    long readLimit(boolean filtered) {
        if (writable) return Long.MAX_VALUE;
        long factor = filtered ? MAX_COMPRESSION_RATIO : 1;
        return fileSize > (Long.MAX_VALUE - READ_SLACK_BYTES) / factor ? Long.MAX_VALUE : fileSize * factor + READ_SLACK_BYTES;
    }

    /** Returns {@code id} if it is a valid (non-negative) id, else throws {@link #failure}. */
    long checkId(long id, String part, String operation) {
        if (id < 0) throw failure(part, operation);
        return id;
    }

    /** Returns {@code status} if it is not negative, else throws {@link #failure}. */
    int checkStatus(int status, String part, String operation) {
        if (status < 0) throw failure(part, operation);
        return status;
    }

    /**
     * The exception for a failed native call, with HDF5's most specific error message appended: a
     * {@link MalformedModelException} when reading, an I/O {@link UserInputException} when writing.
     */
    KerasportException failure(String part, String operation) {
        String message = operation + stackSuffix();
        return writable ? new FileAccessException(path + ": " + part + ": " + message)
                : new MalformedModelException(path, part, message);
    }

    /** A problem with the file's content found by this package (not reported by HDF5). */
    MalformedModelException malformed(String part, String message) {
        return new MalformedModelException(path, part, message);
    }

    private void closeChannel() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only channel: nothing to flush
        }
    }

    private static boolean plausibleFieldSize(int n) {
        return n == 2 || n == 4 || n == 8;
    }

    private static String stackSuffix() {
        String m = Hdf5Lib.errorStackMessage();
        return m.isEmpty() ? "" : " (HDF5: " + m + ")";
    }

    /**
     * Runs an open/create call with a file-access property list that closes all objects with the file and uses
     * file locking only where the file system supports it. On failure, {@code onFailure} gets HDF5's message
     * (read before any other native call clears the error stack).
     */
    private static long openFile(Path p, FileCall call, Function<String, RuntimeException> onFailure) {
        long fapl = H5Pcreate(H5P_CLS_FILE_ACCESS_ID_g());
        if (fapl < 0) throw onFailure.apply(stackSuffix());
        try (BytePointer name = new BytePointer(p.toString(), StandardCharsets.UTF_8)) {
            long id = -1;
            if (H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 && H5Pset_file_locking(fapl, true, true) >= 0) {
                id = call.apply(name, fapl);
            }
            if (id < 0) throw onFailure.apply(stackSuffix());
            return id;
        } finally {
            H5Pclose(fapl);
        }
    }

    /** H5Fopen or H5Fcreate on a file name (UTF-8 bytes, as passed to the OS) with a file-access plist. */
    @FunctionalInterface
    private interface FileCall {
        long apply(BytePointer name, long fapl);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
