/** File-writing concerns shared by every writer: recognising and reporting a full disk. */
package dev.vmpackager.io;
