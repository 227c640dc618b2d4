/**
 * File-writing concerns shared by every writer: recognising and reporting a full disk, the
 * temporary files of write-then-rename (with the umask's modes), deleting whole folders, resource
 * closing and digests.
 */
package dev.vmpackager.io;
