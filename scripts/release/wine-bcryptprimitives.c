/*
 * Test-only stand-in for bcryptprimitives.dll under Wine 8 (Debian 12), which lacks
 * it. Rust's standard library on Windows takes its randomness from
 * bcryptprimitives!ProcessPrng (Windows 10 and later always have it); this DLL
 * provides that one function on top of advapi32's RtlGenRandom (SystemFunction036),
 * which Wine has. It is never shipped: scripts/release/check.sh puts it beside the
 * Windows binaries it runs under Wine.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
