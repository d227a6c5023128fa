set terminal pngcairo size 1200,360 font ',10'
set output 'plot.png'
set multiplot layout 1,2 title 'PLE off (baseline) against on (ple), series off, 1 VM of 8 vCPUs on 4 CPUs, icount, 2026-11-29'
set xlabel 'VMs on the same CPUs'
set ylabel 'median rate / baseline median'
set xtics 1
set grid
set key top left
set xrange [0.7:1.3]
set yrange [0.762227:1.44099]
set title 'dedup (MiB/s)'
plot 'plot.dat' index 0 using ($2+-0.06):6:7:8 with yerrorlines title 'ple', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
set title 'ipi (calls/s)'
plot 'plot.dat' index 1 using ($2+-0.06):6:7:8 with yerrorlines title 'ple', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
unset multiplot
