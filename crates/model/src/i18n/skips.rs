//! Why `leaks` skipped an archive or a file, in Polish: corrupt, encrypted or unsupported
//! archives, archive bombs, members over the size limit, nesting too deep, and their `help:`
//! lines. Read by [`crate::i18n::errors`] like [`crate::i18n::problems`]; a library's own
//! words after the colon (`invalid Zip archive: …`) stay as they came.

/// `(pattern of the English text at the start of a line, Polish)`.
pub(crate) const LEADS: &[(&str, &str)] = &[
    (
        r"^corrupt (?P<c>gzip|xz|bzip2|zstd) data, not scanned: ",
        "uszkodzone dane {c}, nie przeskanowano: ",
    ),
    (
        r"^corrupt (?P<k>zip|tar) archive, not scanned: ",
        "uszkodzone archiwum {k}, nie przeskanowano: ",
    ),
    (
        r"^encrypted 7z archive, not scanned: ",
        "zaszyfrowane archiwum 7z, nie przeskanowano: ",
    ),
    (
        r"^corrupt or unsupported 7z archive, not scanned: ",
        "uszkodzone albo nieobsługiwane archiwum 7z, nie przeskanowano: ",
    ),
    (
        r"^zip member (?P<i>\d+) cannot be read: ",
        "nie można odczytać elementu {i} archiwum zip: ",
    ),
    (
        r"^zip member cannot be read: ",
        "nie można odczytać elementu archiwum zip: ",
    ),
];

/// `(pattern of a whole English line, Polish template)`.
pub(crate) const PATTERNS: &[(&str, &str)] = &[
    // what a history scan covered besides the commits (`git:` line of the text output)
    (
        r"^covered: annotated tag messages \((?P<t>\d+)\), stash entries \((?P<s>\d+)\), reflog-only commits \((?P<r>\d+)\), dangling commits \((?P<c>\d+)\) and blobs \((?P<b>\d+)\)$",
        "przeskanowano też: opisy tagów z adnotacją ({t}), wpisy `git stash` ({s}), commity dostępne tylko z reflogu ({r}), osierocone commity ({c}) i bloby ({b})",
    ),
    (
        r"^covered: annotated tag messages \((?P<t>\d+)\), stash entries \((?P<s>\d+)\), reflog-only commits \((?P<r>\d+)\), dangling commits \((?P<c>\d+)\) and blobs \((?P<b>\d+)\) \(dangling objects not searched: a --since range or --no-unreachable\)$",
        "przeskanowano też: opisy tagów z adnotacją ({t}), wpisy `git stash` ({s}), commity dostępne tylko z reflogu ({r}), osierocone commity ({c}) i bloby ({b}) (osieroconych obiektów nie szukano: zakres --since albo --no-unreachable)",
    ),
    (
        r"^archive bomb: expands beyond the size limit \((?P<cap>\d+) bytes, from (?P<c>\d+) bytes\), skipped$",
        "bomba archiwalna: po rozpakowaniu przekracza limit rozmiaru ({cap} B, a spakowana ma {c} B), pominięto",
    ),
    (
        r"^tar entry declares (?P<n>\d+) bytes, beyond the size limit \((?P<cap>\d+) bytes\), skipped$",
        "element archiwum tar deklaruje {n} B, ponad limit rozmiaru ({cap} B), pominięto",
    ),
    (
        r"^archive nested deeper than (?P<n>\d+) levels, not opened$",
        "archiwum zagnieżdżone głębiej niż na {n} poziomach, nie otwarto",
    ),
    (
        r"^(?P<c>gzip|xz|bzip2|zstd) file larger than --max-file-size, not opened \(only a tar inside is read member by member\)$",
        "plik {c} większy niż --max-file-size, nie otwarto (tylko archiwum tar w środku jest czytane element po elemencie)",
    ),
    (
        r"^not a regular file and larger than (?P<n>\d+) bytes \(--max-file-size\), not scanned$",
        "to nie jest zwykły plik i jest większy niż {n} B (--max-file-size), nie przeskanowano",
    ),
    (
        r"^standard input is larger than (?P<n>\d+) bytes \(--max-file-size\), not scanned$",
        "standardowe wejście jest większe niż {n} B (--max-file-size), nie przeskanowano",
    ),
    (
        r"^extract it with care and scan the result, or exclude it with --exclude$",
        "rozpakuj je ostrożnie i przeskanuj wynik albo wyłącz je opcją --exclude",
    ),
    (
        r"^extract it and scan the result, or exclude it with --exclude$",
        "rozpakuj je i przeskanuj wynik albo wyłącz je opcją --exclude",
    ),
    (
        r"^extract it with its password and scan the result$",
        "rozpakuj je hasłem i przeskanuj wynik",
    ),
    (
        r"^extract it and scan the result$",
        "rozpakuj je i przeskanuj wynik",
    ),
    (
        r"^raise --max-file-size to open it, or decompress it and scan the result$",
        "zwiększ --max-file-size, aby je otworzyć, albo rozpakuj je i przeskanuj wynik",
    ),
    (
        r"^raise --max-file-size, or save the data to a file first$",
        "zwiększ --max-file-size albo najpierw zapisz dane do pliku",
    ),
    (
        r"^raise --max-file-size, or scan the data as a file$",
        "zwiększ --max-file-size albo przeskanuj dane jako plik",
    ),
];
