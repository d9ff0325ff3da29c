package datasets

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// LoadOptions are the user's settings for LoadWith. The zero value detects everything.
type LoadOptions struct {
	// Columns maps a column role to the header that holds it in delimited files
	// (CSV/TSV), overriding detection; see ParseColumns for the roles and flag syntax.
	Columns map[string]string
	// Corpus, Queries and Qrels give a dataset as three files (all three or none):
	// passages (BEIR corpus.jsonl or CSV/TSV with id, title?, text columns), questions
	// (BEIR queries.jsonl or CSV/TSV with id and text columns) and judgements (BEIR/TREC
	// qrels: query-id, corpus-id, score). Each may name a file inside a zip archive as
	// "archive.zip:inner/path.csv". Relative paths are taken from the path given to
	// LoadWith when it is a folder, else from the working folder.
	Corpus, Queries, Qrels string
}

// triple reports whether any of the three file options is set.
func (o LoadOptions) triple() bool { return o.Corpus != "" || o.Queries != "" || o.Qrels != "" }

// Column roles for LoadOptions.Columns and ParseColumns.
const (
	RoleQuery     = "query"   // question text
	RolePassage   = "passage" // context / passage / document text
	RoleAnswer    = "answer"  // answer text (kept as metadata)
	RoleID        = "id"      // query id (in a corpus file: passage id when pid is not set)
	RoleTitle     = "title"   // passage title
	RolePassageID = "pid"     // passage id in a corpus file
)

// roles lists the valid roles in the order messages show them.
var roles = []string{RoleQuery, RolePassage, RoleAnswer, RoleID, RoleTitle, RolePassageID}

// ParseColumns reads the --columns flag: comma-separated role=header pairs such as
// "query=question,passage=context". Roles are query, passage, answer, id, title and pid;
// headers are matched case-insensitively. Spaces around names are ignored; a header
// holding a comma cannot be named. The empty string gives a nil map.
func ParseColumns(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]string{}
	for i, item := range strings.Split(s, ",") {
		role, header, ok := strings.Cut(item, "=")
		role, header = strings.ToLower(strings.TrimSpace(role)), strings.TrimSpace(header)
		switch {
		case strings.TrimSpace(item) == "":
			return nil, fmt.Errorf("--columns: item %d is empty (want role=header, e.g. query=question,passage=context)", i+1)
		case !ok:
			return nil, fmt.Errorf("--columns: %q: want role=header (e.g. query=question)", strings.TrimSpace(item))
		case !validRole(role):
			return nil, fmt.Errorf("--columns: unknown role %q (roles: %s)", role, strings.Join(roles, ", "))
		case header == "":
			return nil, fmt.Errorf("--columns: role %q has no header name", role)
		}
		if old, dup := out[role]; dup {
			return nil, fmt.Errorf("--columns: role %q given twice (%q and %q)", role, old, header)
		}
		out[role] = header
	}
	return out, nil
}

func validRole(r string) bool {
	for _, v := range roles {
		if v == r {
			return true
		}
	}
	return false
}

// LoadWith reads a dataset like Load, with the user's options. path is a folder, a file,
// a zip archive (its top folder is read as a folder) or "archive.zip:inner/path" (a file
// or folder inside the archive, read in place). With Corpus/Queries/Qrels set, the three
// files are the dataset and path, when not "", is the folder they are relative to.
// The result is validated; see Dataset.Notes, Warnings and Issues for what to show.
func LoadWith(p string, opt LoadOptions) (*Dataset, error) {
	if err := checkColumns(opt.Columns); err != nil {
		return nil, err
	}
	if opt.triple() {
		name := ""
		if p != "" {
			name = absBase(p)
		}
		d, err := loadTriple(diskOpener(p), opt, name)
		return finish(d, err, tripleSource(p, opt))
	}
	src, file, closeFn, err := diskOpener("")(p)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	src.opt = opt
	d, err := loadAt(src, file)
	return finish(d, err, p)
}

// LoadFSWith is LoadWith on a file system (paths slash-separated, fs.ValidPath; zip
// archives inside fsys are read into memory).
func LoadFSWith(fsys fs.FS, p string, opt LoadOptions) (*Dataset, error) {
	if err := checkColumns(opt.Columns); err != nil {
		return nil, err
	}
	if opt.triple() {
		name := ""
		if p != "" && p != "." {
			name = path.Base(p)
		}
		d, err := loadTriple(fsOpener(fsys, p), opt, name)
		return finish(d, err, tripleSource(p, opt))
	}
	src, file, closeFn, err := fsOpener(fsys, "")(p)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	src.opt = opt
	d, err := loadAt(src, file)
	return finish(d, err, p)
}

// checkColumns rejects unknown roles in a map built without ParseColumns.
func checkColumns(cols map[string]string) error {
	for _, r := range sortedKeys(cols) {
		if !validRole(r) {
			return fmt.Errorf("datasets: --columns: unknown role %q (roles: %s)", r, strings.Join(roles, ", "))
		}
	}
	return nil
}

// tripleSource is the Source recorded for a dataset given as three files.
func tripleSource(base string, o LoadOptions) string {
	s := fmt.Sprintf("corpus=%s queries=%s qrels=%s", o.Corpus, o.Queries, o.Qrels)
	if base != "" {
		s = base + ": " + s
	}
	return s
}

// loadAt loads a folder (file == "") or one file of src.
func loadAt(src source, file string) (*Dataset, error) {
	if file == "" {
		return loadDir(src)
	}
	return loadFile(src, file)
}

// opener resolves a user path to a source and a file in it ("" for a folder).
// closeFn releases an opened archive; it is never nil.
type opener func(p string) (src source, file string, closeFn func(), err error)

// splitZip splits "a/b.zip:inner/x.csv" into the archive and the inner path.
func splitZip(p string) (archive, inner string, ok bool) {
	i := strings.Index(strings.ToLower(p), ".zip:")
	if i < 0 {
		return "", "", false
	}
	return p[:i+4], strings.TrimPrefix(p[i+5:], "/"), true
}

func nop() {}

// diskOpener opens paths on disk, relative to base when base is a folder.
func diskOpener(base string) opener {
	return func(p string) (source, string, func(), error) {
		if base != "" && !filepath.IsAbs(p) {
			if info, err := os.Stat(base); err == nil && info.IsDir() {
				p = filepath.Join(base, p)
			}
		}
		info, statErr := os.Stat(p)
		if statErr == nil {
			clean := filepath.Clean(p)
			if info.IsDir() {
				return source{fsys: os.DirFS(clean), dir: ".", display: clean, name: absBase(clean)}, "", nop, nil
			}
			if strings.EqualFold(filepath.Ext(clean), ".zip") {
				return openDiskZip(clean, "")
			}
			dir := filepath.Dir(clean)
			return source{fsys: os.DirFS(dir), dir: ".", display: dir, name: absBase(dir)}, filepath.Base(clean), nop, nil
		}
		archive, inner, ok := splitZip(p)
		if !ok {
			return source{}, "", nop, fmt.Errorf("datasets: %w", statErr)
		}
		return openDiskZip(archive, inner)
	}
}

// absBase names a folder by its last element, resolving "." and "..".
func absBase(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return filepath.Base(abs)
	}
	return filepath.Base(p)
}

func openDiskZip(archive, inner string) (source, string, func(), error) {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return source{}, "", nop, fmt.Errorf("datasets: %s: %w", archive, err)
	}
	src, file, err := zipSource(zr, archive, inner)
	if err != nil {
		zr.Close()
		return source{}, "", nop, err
	}
	return src, file, func() { zr.Close() }, nil
}

// zipSource points a source at inner ("" = the archive's top) inside an opened archive.
func zipSource(zfs fs.FS, archive, inner string) (source, string, error) {
	inner = path.Clean("/" + inner)[1:]
	if inner == "" {
		inner = "."
	}
	info, err := fs.Stat(zfs, inner)
	if err != nil {
		return source{}, "", fmt.Errorf("datasets: %s: no %q in the archive (it holds: %s)", archive, inner, zipListing(zfs))
	}
	name := strings.TrimSuffix(path.Base(filepath.ToSlash(archive)), path.Ext(archive))
	if info.IsDir() {
		if inner != "." {
			name = path.Base(inner)
		}
		return source{fsys: zfs, dir: inner, display: archive, inZip: true, name: name}, "", nil
	}
	return source{fsys: zfs, dir: path.Dir(inner), display: archive, inZip: true, name: name}, path.Base(inner), nil
}

// zipListing lists up to 20 files of an archive for messages.
func zipListing(zfs fs.FS) string {
	var names []string
	_ = fs.WalkDir(zfs, ".", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	if len(names) > 20 {
		names = append(names[:20], "…")
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// fsOpener opens paths in fsys, relative to base when base is a folder there.
func fsOpener(fsys fs.FS, base string) opener {
	return func(p string) (source, string, func(), error) {
		if base != "" {
			if info, err := fs.Stat(fsys, base); err == nil && info.IsDir() {
				p = path.Join(base, p)
			}
		}
		info, statErr := fs.Stat(fsys, p)
		if statErr == nil {
			if info.IsDir() {
				return source{fsys: fsys, dir: p, display: p, name: path.Base(p)}, "", nop, nil
			}
			if strings.EqualFold(path.Ext(p), ".zip") {
				return openFSZip(fsys, p, "")
			}
			dir := path.Dir(p)
			return source{fsys: fsys, dir: dir, display: dir, name: path.Base(dir)}, path.Base(p), nop, nil
		}
		archive, inner, ok := splitZip(p)
		if !ok {
			return source{}, "", nop, fmt.Errorf("datasets: %w", statErr)
		}
		return openFSZip(fsys, archive, inner)
	}
}

func openFSZip(fsys fs.FS, archive, inner string) (source, string, func(), error) {
	data, err := fs.ReadFile(fsys, archive)
	if err != nil {
		return source{}, "", nop, fmt.Errorf("datasets: %w", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return source{}, "", nop, &ParseError{File: archive, Msg: "not a zip archive: " + err.Error()}
	}
	src, file, err := zipSource(zr, archive, inner)
	return src, file, nop, err
}
