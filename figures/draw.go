package figures

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/arslab/arslab/internal/atomicfile"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// PNGDPI is the resolution of PNG figures: a Training figure (10 × 7.5 in) is 1500 × 1125 pixels.
const PNGDPI = 150

// Figure is one or more panels laid out on a grid, with an optional heading above them.
type Figure struct {
	Heading    string
	Subheading string
	Panels     [][]*plot.Plot // rows of panels; nil cells stay empty
	Width      vg.Length
	Height     vg.Length
}

// Formats are the file extensions Write accepts.
var Formats = []string{".svg", ".png"}

// Write draws the figure into path, as SVG or PNG after its extension, atomically (a
// temporary file in the same folder, then a rename).
func (f *Figure) Write(path string) error {
	b, err := f.Encode(strings.ToLower(filepath.Ext(path)))
	if err != nil {
		return fmt.Errorf("figure %s: %w", path, err)
	}
	return writeAtomic(path, b)
}

// Encode draws the figure as ".svg" or ".png" bytes.
func (f *Figure) Encode(ext string) ([]byte, error) {
	var buf bytes.Buffer
	switch ext {
	case ".svg":
		cv := vgsvg.New(f.Width, f.Height)
		f.draw(cv)
		if _, err := cv.WriteTo(&buf); err != nil {
			return nil, err
		}
	case ".png":
		cv := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
		f.draw(cv)
		if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(&buf); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unsupported format %q: want %s", ext, strings.Join(Formats, " or "))
	}
	return buf.Bytes(), nil
}

// PixelSize is the size of the figure's PNG in pixels.
func (f *Figure) PixelSize() (w, h int) {
	px := func(l vg.Length) int { return int(math.Ceil(l.Dots(PNGDPI))) }
	return px(f.Width), px(f.Height)
}

func (f *Figure) draw(c vg.CanvasSizer) {
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	top := vg.Length(0)
	if f.Heading != "" {
		sty := textStyle(14, true)
		y := dc.Max.Y - vg.Points(8) // text hangs below y (YTop)
		dc.FillText(sty, vg.Point{X: dc.Min.X + vg.Points(12), Y: y}, f.Heading)
		top = vg.Points(26)
		if f.Subheading != "" {
			sub := textStyle(10, false)
			sub.Color = color.Gray{Y: 0x55}
			dc.FillText(sub, vg.Point{X: dc.Min.X + vg.Points(12), Y: y - vg.Points(18)}, f.Subheading)
			top += vg.Points(14)
		}
	}
	rows := len(f.Panels)
	if rows == 0 {
		return
	}
	cols := 0
	for _, r := range f.Panels {
		cols = max(cols, len(r))
	}
	grid := make([][]*plot.Plot, rows)
	for i, r := range f.Panels {
		grid[i] = make([]*plot.Plot, cols)
		copy(grid[i], r)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(18), PadY: vg.Points(14),
		PadTop: top + vg.Points(6), PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(12)}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
}

// sans is the figures' typeface (the plot library's default is a serif).
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size float64, bold bool) draw.TextStyle {
	f := sans
	if bold {
		f.Weight = xfont.WeightBold
	}
	return draw.TextStyle{Color: color.Black, Font: font.From(f, vg.Points(size)), YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
}

// newPlot is a panel with sans-serif text, a light grid, and the legend at the top right.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, vg.Points(12))
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, vg.Points(10))
		a.Tick.Label.Font = font.From(sans, vg.Points(9))
	}
	p.Legend.TextStyle.Font = font.From(sans, vg.Points(9))
	p.Legend.Top = true
	p.Legend.ThumbnailWidth = vg.Points(16)
	g := plotter.NewGrid()
	g.Horizontal.Color = color.Gray{Y: 0xe0}
	g.Vertical.Color = color.Gray{Y: 0xe0}
	p.Add(g)
	return p
}

// legendRoom raises the top of p's y range so that a legend of n entries at the top of the
// panel sits above the data instead of on it.
func legendRoom(p *plot.Plot, n int) {
	if span := p.Y.Max - p.Y.Min; span > 0 {
		p.Y.Max += span * (0.08 + 0.07*float64(n))
	}
}

// addLine adds one series as a line (with point marks when marks is set) in palette colour i.
func addLine(p *plot.Plot, name string, pts plotter.XYs, i int, marks bool) (*plotter.Line, error) {
	if len(pts) == 0 {
		return nil, nil
	}
	clr := plotutil.Color(i)
	if marks || len(pts) == 1 {
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("series %s: %w", name, err)
		}
		l.Color, l.Width = clr, vg.Points(1.5)
		s.Color, s.Shape, s.Radius = clr, plotutil.Shape(i), vg.Points(3)
		p.Add(l, s)
		p.Legend.Add(name, l, s)
		return l, nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("series %s: %w", name, err)
	}
	l.Color, l.Width = clr, vg.Points(1.2)
	p.Add(l)
	p.Legend.Add(name, l)
	return l, nil
}

// writeAtomic writes b to path atomically (internal/atomicfile).
func writeAtomic(path string, b []byte) error {
	if err := atomicfile.WriteFile(path, b); err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return nil
}

// ---- training figure ----

// lossOrder is the order loss terms are drawn and listed in.
var lossOrder = []string{"infonce", "modinfonce", "dyn", "reg", "std"}

// devKeys are the dev metrics drawn, in legend order.
var devKeys = []struct{ key, label string }{
	{"top1", "Top-1"}, {"top5", "Top-5"}, {"top10", "Top-10"}, {"mrr@10", "MRR@10"}, {"ndcg@10", "nDCG@10"},
}

// Training is the figure of one run: four panels — loss terms (each times its weight, so
// they add up to the total, as the Training pane draws them), mean σ score of positives
// and negatives, learning rate, and the dev metrics at each epoch end.
func Training(r *Run) (*Figure, error) {
	if r == nil || (len(r.Steps) == 0 && len(r.Epochs) == 0) {
		return nil, errors.New("figure: the run recorded nothing yet")
	}
	win := smoothing(len(r.Steps))
	suffix := ""
	if win > 1 {
		suffix = fmt.Sprintf(" (mean of %d steps)", win)
	}

	// Loss: the total and each weighted term.
	loss := newPlot("Loss"+suffix, "step", "weighted loss")
	var terms []string
	for _, s := range r.Steps {
		for k := range s.Terms {
			if !slices.Contains(terms, k) {
				terms = append(terms, k)
			}
		}
	}
	rank := func(k string) int {
		if i := slices.Index(lossOrder, k); i >= 0 {
			return i
		}
		return len(lossOrder)
	}
	slices.SortFunc(terms, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	if _, err := addLine(loss, "total", smooth(stepSeries(r.Steps, func(s Step) (float64, bool) { return s.Loss, true }), win), 0, false); err != nil {
		return nil, err
	}
	for i, k := range terms {
		w, weighted := r.Weights[k]
		if !weighted {
			w = 1
		}
		name := k
		if weighted {
			name = fmt.Sprintf("%s × %s", k, strconv.FormatFloat(w, 'g', -1, 64))
		}
		pts := stepSeries(r.Steps, func(s Step) (float64, bool) { v, ok := s.Terms[k]; return v * w, ok })
		if _, err := addLine(loss, name, smooth(pts, win), i+1, false); err != nil {
			return nil, err
		}
	}

	legendRoom(loss, len(terms)+1)

	// Score separation.
	sep := newPlot("Score separation"+suffix, "step", "mean σ(score)")
	if _, err := addLine(sep, "positives", smooth(stepSeries(r.Steps, func(s Step) (float64, bool) { return s.Pos, true }), win), 2, false); err != nil {
		return nil, err
	}
	if _, err := addLine(sep, "negatives", smooth(stepSeries(r.Steps, func(s Step) (float64, bool) { return s.Neg, true }), win), 0, false); err != nil {
		return nil, err
	}
	legendRoom(sep, 2)

	// Learning rate (not smoothed: the schedule is exact).
	lr := newPlot("Learning rate", "step", "learning rate")
	if _, err := addLine(lr, "lr", stepSeries(r.Steps, func(s Step) (float64, bool) { return s.LR, true }), 4, false); err != nil {
		return nil, err
	}
	lr.Legend = plot.NewLegend() // one series: no legend
	lr.Y.Tick.Marker = sciTicks{}

	// Dev metrics per epoch.
	dev := newPlot("Dev metrics", "epoch", "")
	drawn := 0
	for i, dk := range devKeys {
		var pts plotter.XYs
		for _, e := range r.Epochs {
			if v, ok := e.Dev[dk.key]; ok {
				pts = append(pts, plotter.XY{X: float64(e.Epoch), Y: v})
			}
		}
		if len(pts) > 0 {
			drawn++
		}
		if _, err := addLine(dev, dk.label, pts, i, true); err != nil {
			return nil, err
		}
	}
	if drawn == 0 {
		dev.Title.Text = "Dev metrics: none recorded (no dev split, or no epoch finished)"
		dev.HideAxes()
	} else {
		dev.Y.Min, dev.Y.Max = 0, 1
		dev.X.Tick.Marker = intTicks{}
		first, last := r.Epochs[0].Epoch, r.Epochs[len(r.Epochs)-1].Epoch
		dev.X.Min, dev.X.Max = float64(first)-0.5, float64(last)+0.5
		dev.Legend.Left = true
	}

	return &Figure{
		Heading:    "Training run " + r.Name,
		Subheading: r.Summary,
		Panels:     [][]*plot.Plot{{loss, sep}, {lr, dev}},
		Width:      10 * vg.Inch,
		Height:     7.5 * vg.Inch,
	}, nil
}

func stepSeries(steps []Step, f func(Step) (float64, bool)) plotter.XYs {
	pts := make(plotter.XYs, 0, len(steps))
	for _, s := range steps {
		if v, ok := f(s); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			pts = append(pts, plotter.XY{X: float64(s.Step), Y: v})
		}
	}
	return pts
}

// smoothing is the moving-average window for n steps: none up to 200 steps, then about
// n/100 so a long run still reads as curves.
func smoothing(n int) int {
	if n <= 200 {
		return 1
	}
	return n / 100
}

// smooth replaces each point by the mean of the win points ending at it.
func smooth(pts plotter.XYs, win int) plotter.XYs {
	if win <= 1 || len(pts) < win {
		return pts
	}
	out := make(plotter.XYs, 0, len(pts)-win+1)
	sum := 0.0
	for i, p := range pts {
		sum += p.Y
		if i >= win {
			sum -= pts[i-win].Y
		}
		if i >= win-1 {
			out = append(out, plotter.XY{X: p.X, Y: sum / float64(win)})
		}
	}
	return out
}

// intTicks marks whole numbers only (epochs).
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	step := max(1, int(math.Ceil((hi-lo)/10)))
	for v := int(math.Ceil(lo)); float64(v) <= hi; v += step {
		out = append(out, plot.Tick{Value: float64(v), Label: strconv.Itoa(v)})
	}
	return out
}

// sciTicks is the default ticker with labels like 2e-04 (learning rates).
type sciTicks struct{}

func (sciTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'e', 1, 64)
		}
	}
	return ts
}

// ---- Top-k comparison ----

// Curve is one retriever's metrics on a dataset split (keys "top1", "top5", …).
type Curve struct {
	Name    string
	Metrics map[string]float64
}

// TopKs are the cut-offs drawn when present.
var TopKs = []int{1, 5, 10, 20, 50, 100}

// TopK is the Top-k accuracy of each curve against k (log scale) on one panel.
func TopK(title, subtitle string, curves []Curve) (*Figure, error) {
	p := newPlot("", "k (log scale)", "Top-k accuracy")
	p.X.Scale = plot.LogScale{}
	var ticks []plot.Tick
	var used []int
	for _, k := range TopKs {
		for _, c := range curves {
			if _, ok := c.Metrics[fmt.Sprintf("top%d", k)]; ok {
				used = append(used, k)
				ticks = append(ticks, plot.Tick{Value: float64(k), Label: strconv.Itoa(k)})
				break
			}
		}
	}
	if len(used) == 0 {
		return nil, errors.New("figure: no Top-k metrics to draw")
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = float64(used[0])/1.2, float64(used[len(used)-1])*1.2
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Legend.Top, p.Legend.Left = false, false
	for i, c := range curves {
		var pts plotter.XYs
		for _, k := range used {
			if v, ok := c.Metrics[fmt.Sprintf("top%d", k)]; ok {
				pts = append(pts, plotter.XY{X: float64(k), Y: v})
			}
		}
		l, err := addLine(p, c.Name, pts, i, true)
		if err != nil {
			return nil, err
		}
		if l != nil { // dashes tell apart curves that coincide (BM25 and TF-IDF often do)
			l.Dashes = plotutil.Dashes(i)
		}
	}
	return &Figure{Heading: title, Subheading: subtitle, Panels: [][]*plot.Plot{{p}}, Width: 7 * vg.Inch, Height: 5 * vg.Inch}, nil
}
