/** Raw disks: the file is the disk. Read as one data extent; written sparse (zeros stay holes). */
package dev.vmpackager.disk.raw;
