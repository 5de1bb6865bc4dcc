set terminal pngcairo size 1100,520 font 'sans,10' noenhanced
set output '../latency-cdf.png'
set multiplot layout 1,2 title 'Latency of single grabs (pinned lcore, rdtsc around each grab, all runs pooled; samples are TSC-quantised and include the timer)'
set xlabel 'ns'
set logscale x
set xrange [5:*]
set grid
set key right bottom
set title 'CDF'
set ylabel 'fraction of grabs at or below'
set yrange [0:1.02]
plot for [i=0:6] 'latency-cdf.dat' index i using 1:2 with steps lw 2 title columnheader(1)
set title 'Tail: 1 - CDF (log)'
set ylabel 'fraction of grabs above'
set logscale y
set yrange [1e-7:1]
set key right top
plot for [i=0:6] 'latency-cdf.dat' index i using 1:(1 - $2 > 0 ? 1 - $2 : 1e-9) with steps lw 2 title columnheader(1)
unset multiplot
